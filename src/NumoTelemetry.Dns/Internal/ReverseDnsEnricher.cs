using NumoTelemetry.Enrichment;
using NumoTelemetry.Records;

namespace NumoTelemetry.Dns;

/// <summary>
/// Hot path: reads the cached verdict for the IP pseudonym and sets <see cref="RequestRecord.Crawler"/> and
/// <see cref="RequestRecord.NetworkDomain"/>; on a miss, queues the address for background resolution (never waits).
/// </summary>
internal sealed class ReverseDnsEnricher(ReverseDnsQueue queue, ReverseDnsCache cache, CrawlerTable crawlers, ReverseDnsOptions options, TimeProvider time, DnsMetrics? metrics = null) : IRequestEnricher
{
    private static readonly TimeSpan s_pendingTtl = TimeSpan.FromMinutes(1);

    public void Enrich(in ClientAddress client, ref RequestRecord record)
    {
        if (!options.Enabled)
        {
            return;
        }

        var crawler = crawlers.Match(record.UserAgent);
        ReverseDnsVerdict? verdict = null;
        if (!record.Ip.IsEmpty && client.HasValue)
        {
            var now = time.GetUtcNow().UtcTicks;
            verdict = cache.Get(record.Ip, now) ?? Schedule(client, record, crawler, now);
        }

        if (verdict?.Domain is { } domain)
        {
            record.NetworkDomain = domain;
        }

        if (crawler >= 0)
        {
            record.Crawler = Verify(verdict, crawler);
        }
    }

    internal static CrawlerVerification Verify(ReverseDnsVerdict? verdict, int crawler) => verdict?.Status switch
    {
        ReverseDnsStatus.Pending => CrawlerVerification.Pending,
        ReverseDnsStatus.Confirmed => (verdict.CrawlerMask & (1UL << crawler)) != 0 ? CrawlerVerification.Verified : CrawlerVerification.Failed,
        ReverseDnsStatus.NotConfirmed or ReverseDnsStatus.NoName => CrawlerVerification.Failed,
        _ => CrawlerVerification.Unknown,
    };

    private ReverseDnsVerdict? Schedule(in ClientAddress client, in RequestRecord record, int crawler, long now)
    {
        if ((crawler < 0 && !options.ResolveAllClients) || (!options.ResolvePrivateAddresses && client.IsPrivateOrLocal))
        {
            return null;
        }

        // Pending first: a worker that finishes at once must not be overwritten by it.
        cache.Set(record.Ip, ReverseDnsVerdict.Pending, now + s_pendingTtl.Ticks);
        if (!queue.TryEnqueue(new ReverseDnsWorkItem(record.Ip, client)))
        {
            cache.Set(record.Ip, ReverseDnsVerdict.Pending, now); // expired at once: tried again on a later request
            metrics?.Dropped();
            return null;
        }

        return ReverseDnsVerdict.Pending;
    }
}
