using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace NumoTelemetry.LoadTest;

internal static class LoadRunner
{
    private static string[] s_modes = ["bare", "numo", "httplogging", "otel"];

    public static async Task<int> RunAsync(string[] args)
    {
        var requests = int.Parse(Arg(args, "--requests") ?? "100000", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Arg(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        var connections = int.Parse(Arg(args, "--connections") ?? "16", CultureInfo.InvariantCulture);
        var timeLimit = TimeSpan.FromMinutes(double.Parse(Arg(args, "--minutes") ?? "15", CultureInfo.InvariantCulture));
        var warmUp = TimeSpan.FromSeconds(double.Parse(Arg(args, "--warmup-seconds") ?? "10", CultureInfo.InvariantCulture));
        if (Arg(args, "--modes") is { } modes)
        {
            s_modes = modes.Split(',');
        }

        var started = Stopwatch.StartNew();
        var results = s_modes.ToDictionary(m => m, _ => new List<(double CpuUs, double Bytes)>());
        var pipeline = s_modes.ToDictionary(m => m, _ => new List<double>());

        Console.WriteLine($"Load: {requests} requests x {rounds} rounds per mode after >= {warmUp.TotalSeconds:F0} s of warm-up, {connections} connections, 127.0.0.1, modes interleaved.");
        for (var round = 0; round < rounds && started.Elapsed < timeLimit; round++)
        {
            // Rotate the order each round so no mode always runs first.
            for (var k = 0; k < s_modes.Length; k++)
            {
                var mode = s_modes[(k + round) % s_modes.Length];
                var (cpu, bytes, jitMs, pipelineUs) = await MeasureAsync(mode, requests, connections, warmUp);
                results[mode].Add((cpu, bytes));
                pipeline[mode].Add(pipelineUs);
                Console.WriteLine($"  round {round + 1} {mode,-14} {cpu,8:F2} us CPU/request {bytes,8:F0} B/request   (pipeline thread {pipelineUs:F2} us/request; JIT during measurement: {jitMs:F0} ms)");
            }
        }

        var bare = Median(results["bare"]);
        Console.WriteLine();
        Console.WriteLine("| Server | CPU per request (median) | vs bare | of which NumoTelemetry's pipeline thread | Allocated per request (median) | vs bare |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var mode in s_modes)
        {
            var m = Median(results[mode]);
            var p = pipeline[mode].Order().ToList();
            var pipelineText = p.Count == 0 || p[p.Count / 2] == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{p[p.Count / 2]:F2} µs");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {mode} | {m.CpuUs:F2} µs | {(mode == "bare" ? "-" : $"{m.CpuUs - bare.CpuUs:+0.00;-0.00} µs")} | {pipelineText} | {m.Bytes:F0} B | {(mode == "bare" ? "-" : $"{m.Bytes - bare.Bytes:+0;-0} B")} |"));
        }

        return 0;
    }

    private static async Task<(double CpuUs, double Bytes, double JitMs, double PipelineUs)> MeasureAsync(string mode, int requests, int connections, TimeSpan warmUp)
    {
        var port = FreePort();
        var self = Environment.ProcessPath!;
        var dll = typeof(LoadRunner).Assembly.Location;
        var start = new ProcessStartInfo(self.EndsWith("dotnet", StringComparison.Ordinal) ? self : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("server");
        start.ArgumentList.Add("--mode");
        start.ArgumentList.Add(mode);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        start.Environment["DOTNET_TieredPGO"] = "1";
        // No idle spinning in the thread pool: a worker that finds no work spins (sched_yield) before it sleeps, and that
        // spin is CPU time that depends on timing, not on the work each mode adds. All modes run with the same setting.
        start.Environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0";
        using var server = Process.Start(start)!;
        try
        {
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
            using var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            client.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36");
            client.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.23");
            client.DefaultRequestHeaders.Add("Cookie", ".AspNetCore.Session=CfDJ8Abc; numo_vid=Xy12");
            client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-GB");
            await WaitUntilUpAsync(client);

            // Warm-up until tiered compilation has settled: a few thousand requests leave most of the code in its
            // instrumented tier, and the JIT's own CPU then dominates the difference between modes. At least the
            // warm-up time, then until a 5,000-request batch compiles no more methods (or three times that time).
            var warming = Stopwatch.StartNew();
            var last = await StatsAsync(client);
            while (true)
            {
                await FireAsync(client, 5000, connections);
                var now = await StatsAsync(client);
                var settled = now.JitMethods == last.JitMethods;
                last = now;
                if ((warming.Elapsed >= warmUp && settled) || warming.Elapsed >= 3 * warmUp)
                {
                    break;
                }
            }

            var before = await StatsAsync(client);
            var pipelineBefore = PipelineThreadTicks(server.Id);
            await FireAsync(client, requests, connections);
            var pipelineAfter = PipelineThreadTicks(server.Id);
            var after = await StatsAsync(client);
            return (
                (after.CpuTicks - before.CpuTicks) / 10.0 / requests,
                (after.Allocated - before.Allocated) / (double)requests,
                (after.JitTicks - before.JitTicks) / (double)TimeSpan.TicksPerMillisecond,
                (pipelineAfter - pipelineBefore) * 1e6 / ClockTicksPerSecond / requests);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();

            // A killed server cannot remove its request-log folder itself.
            var data = Path.Combine(Path.GetTempPath(), "numo-load-" + server.Id.ToString(CultureInfo.InvariantCulture));
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    // Linux's USER_HZ, the unit of utime/stime in /proc/<pid>/task/<tid>/stat (100 on every mainstream kernel).
    private const double ClockTicksPerSecond = 100;

    /// <summary>
    /// CPU time (user + system, clock ticks) of the server's NumoTelemetry pipeline thread, from /proc on Linux; 0 elsewhere
    /// or when there is no such thread. Thread names are cut to 15 characters there: "NumoTelemetry p".
    /// </summary>
    private static long PipelineThreadTicks(int pid)
    {
        var tasks = $"/proc/{pid}/task";
        if (!Directory.Exists(tasks))
        {
            return 0;
        }

        long ticks = 0;
        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith("NumoTelemetry p", StringComparison.Ordinal))
                {
                    continue;
                }

                // The fields after the command name (which is in parentheses and may contain spaces): utime and stime are the 12th and 13th.
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // the thread ended
            }
        }

        return ticks;
    }

    private static async Task FireAsync(HttpClient client, int count, int connections)
    {
        var remaining = count;
        var workers = new Task[connections];
        for (var i = 0; i < connections; i++)
        {
            workers[i] = Task.Run(async () =>
            {
                while (Interlocked.Decrement(ref remaining) >= 0)
                {
                    using var response = await client.GetAsync(new Uri("/", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
                    await response.Content.CopyToAsync(Stream.Null);
                }
            });
        }

        await Task.WhenAll(workers);
    }

    private static async Task<(long CpuTicks, long Allocated, long JitMethods, long JitTicks)> StatsAsync(HttpClient client)
    {
        var text = await client.GetStringAsync(new Uri("/__stats", UriKind.Relative));
        var parts = text.Split(' ');
        return (
            long.Parse(parts[0], CultureInfo.InvariantCulture),
            long.Parse(parts[1], CultureInfo.InvariantCulture),
            long.Parse(parts[2], CultureInfo.InvariantCulture),
            long.Parse(parts[3], CultureInfo.InvariantCulture));
    }

    private static async Task WaitUntilUpAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await client.GetStringAsync(new Uri("/__stats", UriKind.Relative));
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static (double CpuUs, double Bytes) Median(List<(double CpuUs, double Bytes)> values)
    {
        if (values.Count == 0)
        {
            return (double.NaN, double.NaN);
        }

        var cpu = values.Select(v => v.CpuUs).Order().ToList();
        var bytes = values.Select(v => v.Bytes).Order().ToList();
        return (cpu[cpu.Count / 2], bytes[bytes.Count / 2]);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
