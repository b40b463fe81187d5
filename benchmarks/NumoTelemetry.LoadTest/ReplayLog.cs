using System.Globalization;
using System.Text;

namespace NumoTelemetry.LoadTest;

/// <summary>
/// Writes a JSON-lines request log for <c>numo replay</c> from many distinct clients, as <c>many-clients.lua</c> sends them: each
/// line from one of N clients picked uniformly by a seeded generator (own address, one per /24 in never-routed ranges, own session
/// and visitor cookie, one of 8 browsers), one of 320 pages, 1 in 50 a login (1 in 10 of those failed), 20 ms apart.
/// </summary>
internal static class ReplayLog
{
    private static readonly string[] s_userAgents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
        "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    ];

    /// <summary><c>replay-log --out FILE [--lines 1000000] [--clients 200000] [--seed 1]</c></summary>
    public static int Run(string[] args)
    {
        string? output = null;
        var lines = 1_000_000;
        var clients = 200_000;
        var seed = 1;
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--out": output = args[i + 1]; break;
                case "--lines": lines = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--clients": clients = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        if (output is null || lines <= 0 || clients is <= 0 or > 5_000_000)
        {
            Console.Error.WriteLine("usage: replay-log --out FILE [--lines 1000000] [--clients 200000 (at most 5,000,000)] [--seed 1]");
            return 2;
        }

        var random = new Random(seed);
        var start = new DateTime(2026, 3, 2, 6, 0, 0, DateTimeKind.Utc);
        using var writer = new StreamWriter(output, append: false, new UTF8Encoding(false), 1 << 20);
        var line = new StringBuilder(512);
        for (var i = 0; i < lines; i++)
        {
            var c = random.Next(clients);
            var login = random.Next(50) == 0;
            line.Clear();
            line.Append(CultureInfo.InvariantCulture, $"{{\"ts\":\"{start.AddMilliseconds(i * 20L):yyyy-MM-ddTHH:mm:ss.fffZ}\",\"ip\":\"{Address(c)}\",");
            line.Append(CultureInfo.InvariantCulture, $"\"method\":\"{(login ? "POST" : "GET")}\",\"path\":\"{(login ? "/login" : Page(random.Next(320)))}\",\"status\":200,");
            line.Append(CultureInfo.InvariantCulture, $"\"ua\":\"{s_userAgents[(c * 7) % s_userAgents.Length]}\",\"cookie\":\"numo_vid=v{c:x8}{Mix(c):x16}\",\"session\":\"CfDJ8{Mix(c + 1):x16}{Mix(c + 2):x16}\",\"durationMs\":3.5");
            if (login)
            {
                line.Append(CultureInfo.InvariantCulture, $",\"event\":\"{(random.Next(10) == 0 ? "login_failed" : "login_succeeded")}\",\"user\":\"user{c}\"");
            }

            line.Append("}\n");
            writer.Write(line);
        }

        return 0;
    }

    // One client per /24 across 10/8, 100.64/10, 172.16/12, 198.18/15 and 192.168/16 (never routed on the Internet).
    private static string Address(int c)
    {
        (int A, int B, int Bits)[] ranges = [(10, 0, 24), (100, 64, 22), (172, 16, 20), (198, 18, 17), (192, 168, 16)];
        var r = ranges[c % 5];
        var k = (int)(((c / 5L) * 40503 + 12345) % (1L << r.Bits));
        return string.Create(CultureInfo.InvariantCulture, $"{r.A}.{r.B + (k >> 16)}.{(k >> 8) & 255}.{k & 255}");
    }

    private static string Page(int p) => p switch
    {
        0 => "/",
        _ => string.Create(CultureInfo.InvariantCulture, $"/{(p % 5) switch { 0 => "products", 1 => "blog", 2 => "docs", 3 => "category", _ => "help" }}/item-{p}"),
    };

    private static ulong Mix(int n)
    {
        var x = (ulong)n * 0x9E3779B97F4A7C15UL;
        x ^= x >> 31;
        x *= 0xBF58476D1CE4E5B9UL;
        return x ^ (x >> 29);
    }
}
