extern alias numo;

using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using numo::NumoTelemetry.Cli.Replay;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// <c>numo replay</c> throughput over 100,000 JSON lines (20,000 clients with cookies and sessions, 1 in 50 a login, a stuffing
/// attack mixed in): parsing alone (baseline) against the full replay (parse, capture through the core's RequestFinisher, fraud engine,
/// alerts). Lines per second = 100,000 / mean. The User-Agent parser is the placeholder; a real parser is cached per distinct User-Agent.
/// </summary>
[MemoryDiagnoser]
public class ReplayBenchmarks
{
    private const int Lines = 100_000;
    private byte[] _log = [];
    private string _keyFile = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        string[] uas =
        [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        ];
        _keyFile = Path.Combine(Path.GetTempPath(), $"numo-bench-key-{Environment.ProcessId}.json");
        File.WriteAllText(_keyFile, KeyFile.Generate(null));

        // Visitor cookies as the site issues them (signed with the key), so replay verifies them as it would a real log.
        var signer = new NumoTelemetry.Capture.VisitorCookieSigner(KeyRing.FromOptions(new PseudonymizationOptions { KeyFile = _keyFile }));
        var cookies = new string[20_000];
        for (var c = 0; c < cookies.Length; c++)
        {
            cookies[c] = signer.Issue(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        }

        var random = new Random(1);
        var text = new StringBuilder();
        var t0 = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < Lines; i++)
        {
            var at = t0.AddMilliseconds(i * 20);
            if (i % 400 == 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"{{\"ts\":\"{at.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}\",\"ip\":\"185.220.1.20\",\"method\":\"POST\",\"path\":\"/login\",\"status\":200,\"ua\":\"{uas[0]}\",\"event\":\"login_failed\",\"user\":\"victim{i}\"}}\n");
                continue;
            }

            var u = random.Next(20_000);
            var login = i % 50 == 0;
            text.Append(CultureInfo.InvariantCulture, $"{{\"ts\":\"{at.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}\",\"ip\":\"81.{u / 250 / 250}.{u / 250 % 250}.{(u % 250) + 1}\",\"method\":\"{(login ? "POST" : "GET")}\",\"path\":\"{(login ? "/login" : $"/p/{random.Next(3000)}")}\",\"status\":200,\"ua\":\"{uas[u % 3]}\",\"cookie\":\"numo_vid={cookies[u]}\",\"session\":\"s{u}\",\"durationMs\":12.5");
            text.Append(login ? $",\"event\":\"login_succeeded\",\"user\":\"user{u}\"}}\n" : "}\n");
        }

        _log = Encoding.UTF8.GetBytes(text.ToString());
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_keyFile);

    [Benchmark(Baseline = true, OperationsPerInvoke = Lines)]
    public int ParseOnly()
    {
        var reader = new LineReader(new MemoryStream(_log, writable: false));
        var pool = new NumoTelemetry.Internal.BoundedInterner(16_384, ReplayRunner.MaxPooledLength);
        var request = new ReplayRequest();
        var ok = 0;
        while (reader.TryReadLine(out var line, out var tooLong))
        {
            if (tooLong)
            {
                continue;
            }

            ok += JsonLineParser.TryParse(line, request, pool, out _) ? 1 : 0;
        }

        return ok;
    }

    [Benchmark(OperationsPerInvoke = Lines)]
    public long Replay()
    {
        using var runner = new ReplayRunner(null, _keyFile, null, Stream.Null);
        return runner.Run(new MemoryStream(_log, writable: false), ReplayFormat.Jsonl).Replayed;
    }
}
