using NumoTelemetry.Enrichment;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud.HeldOut;

/// <summary>
/// Stands in for the GeoIP databases and the reverse-DNS crawler check of a production deployment, over the held-out world's
/// networks: geo and AS facts by /16, and for a User-Agent that claims Googlebot or Bingbot, Verified when the address is in the
/// search engine's own network and Failed otherwise (what forward-confirmed reverse DNS would answer).
/// </summary>
internal sealed class SimulatedNetworkEnricher(IReadOnlyList<SimulatedNetwork> networks) : IRequestEnricher
{
    private readonly Dictionary<int, SimulatedNetwork> _byPrefix = networks.ToDictionary(static n => (n.A << 8) | n.B);
    private long _verified;
    private long _failed;

    /// <summary>Requests whose crawler claim was confirmed.</summary>
    public long Verified => Interlocked.Read(ref _verified);

    /// <summary>Requests whose crawler claim failed.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public void Enrich(in ClientAddress client, ref RequestRecord record)
    {
        if (!client.IsIPv4 || client.ToIPAddress() is not { } address)
        {
            return;
        }

        var bytes = address.GetAddressBytes();
        if (!_byPrefix.TryGetValue((bytes[0] << 8) | bytes[1], out var network))
        {
            return;
        }

        record.Geo = network.Geo;
        var bot = record.UserAgent.Bot.Name;
        if (bot is not null && (bot.Contains("Googlebot", StringComparison.OrdinalIgnoreCase) || bot.Contains("bingbot", StringComparison.OrdinalIgnoreCase)))
        {
            record.Crawler = network.SearchEngine ? CrawlerVerification.Verified : CrawlerVerification.Failed;
            Interlocked.Increment(ref network.SearchEngine ? ref _verified : ref _failed);
        }
    }
}
