using System.Collections.Concurrent;
using NumoTelemetry.Capture;
using NumoTelemetry.Enrichment;
using NumoTelemetry.Records;

namespace NumoTelemetry.Dns;

/// <summary>
/// Forward-confirmed reverse DNS for <c>numo replay --dns-server</c>: the same resolver, crawler table and verdicts as a site's
/// <see cref="ReverseDnsEnricher"/>, but the lookup of a client claiming a crawler runs at once (blocking the capture thread, once per
/// address: the verdict is cached for the run), so every line of the log sees the verdict the site would have reached and a replay
/// stays deterministic. Only claimed crawlers are looked up (a log of many clients would otherwise be a DNS scan).
/// </summary>
internal sealed class ReplayReverseDnsEnricher(ForwardConfirmedResolver resolver, CrawlerTable crawlers, DnsOptions options, DnsMetrics? metrics = null) : IRequestEnricher
{
    private readonly ConcurrentDictionary<ClientAddress, ReverseDnsVerdict> _verdicts = new();

    public void Enrich(in ClientAddress client, ref RequestRecord record)
    {
        if (!options.Enabled || !client.HasValue)
        {
            return;
        }

        var crawler = crawlers.Match(record.UserAgent);
        if (crawler < 0 || (!options.ResolvePrivateAddresses && client.IsPrivateOrLocal))
        {
            return;
        }

        var address = client;
        var verdict = _verdicts.GetOrAdd(address, static (a, state) => state.Resolve(a), this);
        if (verdict.Domain is { } domain)
        {
            record.NetworkDomain = domain;
        }

        record.Crawler = ReverseDnsEnricher.Verify(verdict, crawler);
    }

    private ReverseDnsVerdict Resolve(ClientAddress client)
    {
        try
        {
            return resolver.ResolveAsync(client.ToIPAddress()!, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            metrics?.Dropped();
            return ReverseDnsVerdict.Pending; // unknown: neither verified nor failed
        }
    }
}
