using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NumoTelemetry.Dns.Tests;

/// <summary>
/// A real DNS server for integration tests: <c>dnsmasq</c> on 127.0.0.1 on a free port, with the records the tests
/// need written on its command line, and one zone forwarded to a UDP "black hole" that never answers (timeouts).
/// When dnsmasq is not installed, <see cref="SkipReason"/> says so and tests skip.
/// </summary>
public sealed class DnsmasqServer : IDisposable
{
    public const string GenuineIPv4 = "66.249.66.1";
    public const string GenuineName = "crawl-66-249-66-1.googlebot.com";
    public const string GenuineIPv6 = "2001:4860:4801:10::1";
    public const string FakeIPv4 = "203.0.113.7";
    public const string FakeName = "crawl-203-0-113-7.googlebot.com";
    public const string BrokenForwardIPv4 = "203.0.113.8";
    public const string ResidentialIPv4 = "198.51.100.7";
    public const string ResidentialName = "c-198-51-100-7.hsd1.ma.comcast.net";
    public const string NoPtrIPv4 = "198.51.100.99";
    public const string PtrTimeoutIPv4 = "192.0.2.50";
    public const string ForwardTimeoutIPv4 = "192.0.2.51";

    // Two PTR names, both forward-confirmed: a provider's name first in the answer, then the crawler's.
    public const string MultiPtrIPv4 = "66.249.66.5";
    public const string MultiPtrCrawlerName = "crawl-66-249-66-5.googlebot.com";
    public const string MultiPtrProviderName = "host-66-249-66-5.example.net";

    // For the host test: addresses that MaxMind's test databases know (SE / AS29518 and AU / AS721).
    public const string GeoGenuineIPv4 = "89.160.20.115";
    public const string GeoGenuineName = "crawl-89-160-20-115.googlebot.com";
    public const string GeoFakeIPv4 = "214.0.1.5";
    public const string GeoFakeName = "crawl-214-0-1-5.googlebot.com";

    private readonly Process? _process;
    private readonly UdpClient? _blackHole;

    public DnsmasqServer()
    {
        var executable = Find();
        if (executable is null)
        {
            SkipReason = "dnsmasq is not installed (apt-get install -y dnsmasq; .ci/run installs it): skipping the real DNS server test.";
            return;
        }

        _blackHole = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var blackHolePort = ((IPEndPoint)_blackHole.Client.LocalEndPoint!).Port;
        Port = FreePort();
        var args = new List<string>
        {
            "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
            "--listen-address=127.0.0.1", "--bind-interfaces", $"--port={Port}", "--pid-file=", "--cache-size=0",
            "--local=/googlebot.com/", "--local=/comcast.net/", "--local=/example.net/", "--local=/in-addr.arpa/", "--local=/ip6.arpa/",
            $"--host-record={GenuineName},{GenuineIPv4}",
            $"--host-record=crawl-2001-4860-4801-10--1.googlebot.com,{GenuineIPv6}",
            $"--ptr-record=7.113.0.203.in-addr.arpa,{FakeName}",
            $"--host-record={FakeName},66.249.66.99",
            "--ptr-record=8.113.0.203.in-addr.arpa,broken.example.net",
            $"--host-record={ResidentialName},{ResidentialIPv4}",
            $"--host-record={GeoGenuineName},{GeoGenuineIPv4}",
            $"--ptr-record=5.1.0.214.in-addr.arpa,{GeoFakeName}",
            $"--server=/50.2.0.192.in-addr.arpa/127.0.0.1#{blackHolePort}",
            "--ptr-record=51.2.0.192.in-addr.arpa,crawl-192-0-2-51.slow.googlebot.com",
            $"--server=/slow.googlebot.com/127.0.0.1#{blackHolePort}",

            // dnsmasq 2.90 answers a name's ptr-records in reverse order of configuration: the provider name comes first.
            $"--ptr-record=5.66.249.66.in-addr.arpa,{MultiPtrCrawlerName}",
            $"--ptr-record=5.66.249.66.in-addr.arpa,{MultiPtrProviderName}",
            $"--address=/{MultiPtrCrawlerName}/{MultiPtrIPv4}",
            $"--address=/{MultiPtrProviderName}/{MultiPtrIPv4}",

            // Queries are logged to standard error, so tests can count the questions asked.
            "--log-queries", "--log-facility=-",
        };
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (Output) { Output.Add(e.Data); } } };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (Output) { Output.Add(e.Data); } } };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        WaitUntilAnswering();
    }

    public string? SkipReason { get; }

    public int Port { get; }

    public string NameServer => $"127.0.0.1:{Port}";

    public List<string> Output { get; } = [];

    /// <summary>How many queries of <paramref name="type"/> (for example <c>PTR</c>) for <paramref name="name"/> dnsmasq has logged so far.</summary>
    public int QueryCount(string type, string name)
    {
        var needle = $"query[{type}] {name} ";
        lock (Output)
        {
            return Output.Count(line => line.Contains(needle, StringComparison.Ordinal));
        }
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        _blackHole?.Dispose();
    }

    private void WaitUntilAnswering()
    {
        var resolver = new DnsClientResolver(new DnsOptions { NameServers = [NameServer], Timeout = TimeSpan.FromMilliseconds(200), Retries = 0 });
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"dnsmasq exited with {_process.ExitCode}: {string.Join('\n', Output)}");
            }

            var answer = resolver.ForwardAsync(GenuineName, AddressFamily.InterNetwork, CancellationToken.None).GetAwaiter().GetResult();
            if (answer.Status == DnsLookupStatus.Found)
            {
                return;
            }

            Thread.Sleep(50);
        }

        throw new InvalidOperationException($"dnsmasq did not answer on {NameServer} within 10 s: {string.Join('\n', Output)}");
    }

    private static int FreePort()
    {
        // A port free for both UDP and TCP (dnsmasq listens on both).
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
            try
            {
                var tcp = new TcpListener(IPAddress.Loopback, port);
                tcp.Start();
                tcp.Stop();
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("No free port for dnsmasq.");
    }

    private static string? Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Append("/usr/sbin").Append("/sbin"))
        {
            var candidate = Path.Combine(dir, "dnsmasq");
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
