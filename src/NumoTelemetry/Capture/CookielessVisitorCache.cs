using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Capture;

/// <summary>
/// Caches the cookieless daily visitor per (address, User-Agent, site, day), lock-free and direct-mapped,
/// so a returning visitor costs a compare rather than an HMAC.
/// </summary>
internal sealed class CookielessVisitorCache
{
    private readonly Entry?[] _entries;
    private readonly int _mask;

    public CookielessVisitorCache(int capacity)
    {
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity, 16, 1 << 24));
        _entries = new Entry?[size];
        _mask = size - 1;
    }

    public Pseudonym Get(Pseudonymizer pseudonymizer, in ClientAddress address, string userAgent, string site, DateTimeOffset at)
    {
        var epoch = pseudonymizer.TagOf(PseudonymScope.Analytics, at);
        var hash = HashCode.Combine(address, string.GetHashCode(userAgent.AsSpan()), string.GetHashCode(site.AsSpan()));
        ref var slot = ref _entries[hash & _mask];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && entry.Epoch == epoch && entry.Address == address
            && string.Equals(entry.UserAgent, userAgent, StringComparison.Ordinal) && string.Equals(entry.Site, site, StringComparison.Ordinal))
        {
            return entry.Value;
        }

        var value = pseudonymizer.PseudonymizeCookielessVisitor(address, userAgent, site, at);
        Volatile.Write(ref slot, new Entry(address, userAgent, site, epoch, value));
        return value;
    }

    private sealed record Entry(ClientAddress Address, string UserAgent, string Site, long Epoch, Pseudonym Value);
}
