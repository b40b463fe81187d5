using NumoTelemetry.LoadTest;

// End-to-end load benchmark: the same tiny endpoint bare, with NumoTelemetry (everything on), with
// ASP.NET Core HttpLogging, and with OpenTelemetry's ASP.NET Core instrumentation. Each mode runs in
// its own server process on 127.0.0.1; modes are interleaved (A/B) over several rounds; the figures are
// the server's CPU time and managed bytes allocated per request, far steadier than requests/s on a
// shared 2-core machine.
//
//   dotnet run -c Release --project benchmarks/NumoTelemetry.LoadTest -- run [--requests 100000] [--rounds 3] [--connections 16] [--warmup-seconds 10] [--modes bare,numo,httplogging,otel]
//   dotnet run -c Release --project benchmarks/NumoTelemetry.LoadTest -- server --mode numo --port 5099
//   benchmarks/NumoTelemetry.LoadTest/wrk-threads.sh   (the same modes under wrk, CPU split by server thread; Linux)
//   benchmarks/NumoTelemetry.LoadTest/wrk-many-clients.sh   (the same with 200,000 distinct clients; see many-clients.lua)
//   benchmarks/NumoTelemetry.LoadTest/replay-many-clients.sh   (numo replay over 1,000,000 lines from 200,000 clients; see ReplayLog)
return args.Length > 0 && args[0] == "server" ? await LoadServer.RunAsync(args)
    : args.Length > 0 && args[0] == "replay-log" ? ReplayLog.Run(args)
    : await LoadRunner.RunAsync(args);
