using System.Net;
using System.Net.Sockets;
using NumoTelemetry.Dns;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// Reverse DNS on the hot path: the enricher reading a cached verdict for the IP pseudonym (goal 0 B), for a browser
/// and for a User-Agent claiming Googlebot (claim match plus verification), against the feature switched off
/// (baseline). The background work is measured apart: forward confirmation of a two-name PTR answer against an
/// in-memory resolver, i.e. the CPU and allocation of one resolution without network time.
/// </summary>
[MemoryDiagnoser]
public class ReverseDnsEnricherBenchmarks
{
    private const string Ip = "66.249.66.5";

    private ReverseDnsEnricher _enricher = null!;
    private ForwardConfirmedResolver _resolver = null!;
    private PtrLookupResult _ptr;
    private ClientAddress _client;
    private RequestRecord _browser;
    private RequestRecord _googlebot;
    private IPAddress _address = null!;

    /// <summary>Reverse DNS enrichment on (cached verdict) or off.</summary>
    [Params(false, true)]
    public bool Enabled { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new ReverseDnsOptions { Enabled = Enabled };
        var crawlers = CrawlerTableFactory.Create(options);
        var cache = new ReverseDnsCache(options.CacheSize);
        _enricher = new ReverseDnsEnricher(new ReverseDnsQueue(options.QueueCapacity), cache, crawlers, options, TimeProvider.System);

        var pseudonymizer = new Pseudonymizer(KeyRing.Create(new Dictionary<ushort, byte[]> { [1] = Convert.FromBase64String(KeyRing.GenerateKey()) }, 1), new PseudonymizationOptions());
        _address = IPAddress.Parse(Ip);
        _client = ClientAddress.FromIPAddress(_address);
        var pseudonym = pseudonymizer.PseudonymizeAddress(_client, PseudonymKind.Ip, DateTimeOffset.UtcNow);
        var parser = new UserAgentParser();
        _browser = new RequestRecord { Ip = pseudonym, UserAgent = parser.Parse("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36") };
        _googlebot = new RequestRecord { Ip = pseudonym, UserAgent = parser.Parse("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)") };

        var dns = new InMemoryResolver();
        _resolver = new ForwardConfirmedResolver(dns, crawlers, PublicSuffixList.Default, null, options.MaxPtrNames);
        _ptr = new PtrLookupResult(DnsLookupStatus.Found, ["host-66-249-66-5.example.net", "crawl-66-249-66-5.googlebot.com"]);
        var verdict = _resolver.ConfirmAsync(_address, _ptr, CancellationToken.None).GetAwaiter().GetResult();
        cache.Set(pseudonym, verdict, DateTimeOffset.UtcNow.AddHours(1).UtcTicks);

        // Warm the claim cache and check the setup: a genuine Googlebot is verified when the feature is on.
        var record = _googlebot;
        _enricher.Enrich(_client, ref record);
        if (Enabled && record.Crawler != CrawlerVerification.Verified)
        {
            throw new InvalidOperationException($"Setup: expected a verified Googlebot, got {record.Crawler}.");
        }
    }

    [Benchmark(Baseline = true, Description = "enrich, browser UA, cached verdict")]
    public string? Browser()
    {
        var record = _browser;
        _enricher.Enrich(_client, ref record);
        return record.NetworkDomain;
    }

    [Benchmark(Description = "enrich, Googlebot UA, cached verdict (verify claim)")]
    public CrawlerVerification Googlebot()
    {
        var record = _googlebot;
        _enricher.Enrich(_client, ref record);
        return record.Crawler;
    }

    [Benchmark(Description = "background: forward-confirm two PTR names (in-memory DNS)")]
    public async Task<string?> Confirm() => (await _resolver.ConfirmAsync(_address, _ptr, CancellationToken.None)).Domain;

    /// <summary>Answers the two forward questions from memory, completed synchronously.</summary>
    private sealed class InMemoryResolver : IDnsResolver
    {
        private static readonly Task<AddressLookupResult> s_found = Task.FromResult(new AddressLookupResult(DnsLookupStatus.Found, [IPAddress.Parse(Ip)]));

        public Task<PtrLookupResult> ReverseAsync(IPAddress address, CancellationToken cancellationToken) =>
            Task.FromResult(new PtrLookupResult(DnsLookupStatus.Found, ["host-66-249-66-5.example.net", "crawl-66-249-66-5.googlebot.com"]));

        public Task<AddressLookupResult> ForwardAsync(string name, AddressFamily family, CancellationToken cancellationToken) => s_found;
    }
}
