using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Capture;

/// <summary>
/// Caches the cookieless daily visitor per (address, User-Agent, site, day), lock-free and direct-mapped,
/// so a returning visitor costs a compare rather than a keyed hash. The slots belong to one day (analytics
/// epoch and key id): the first request of a new day swaps in empty slots, so no raw address or
/// User-Agent outlives its day here.
/// </summary>
internal sealed class CookielessVisitorCache
{
    private readonly int _size;
    private Generation? _current;

    public CookielessVisitorCache(int capacity)
    {
        _size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity, 16, 1 << 24));
    }

    public Pseudonym Get(Pseudonymizer pseudonymizer, in ClientAddress address, string userAgent, string site, DateTimeOffset at) =>
        Get(pseudonymizer, address, userAgent, HashOf(userAgent), site, pseudonymizer.TagOf(PseudonymScope.Analytics, at));

    /// <summary>The hash of a User-Agent's text that <see cref="Get(Pseudonymizer, in ClientAddress, string, int, string, long)"/> takes.</summary>
    public static int HashOf(string userAgent) => string.GetHashCode(userAgent.AsSpan());

    /// <summary>
    /// The visitor under analytics tag <paramref name="tag"/>, with the User-Agent's text already hashed by
    /// <see cref="HashOf"/> (the hot path keeps that hash beside the User-Agent, so it is not hashed again).
    /// </summary>
    public Pseudonym Get(Pseudonymizer pseudonymizer, in ClientAddress address, string userAgent, int userAgentHash, string site, long tag)
    {
        var generation = Current(tag);
        if (generation is null)
        {
            return pseudonymizer.PseudonymizeCookielessVisitor(address, userAgent, site, tag); // a request from just before the day changed
        }

        // Two-way set-associative (the slot and its pair), like the pseudonym cache: two hot visitors sharing a slot must not
        // evict each other on every request.
        var hash = HashCode.Combine(address, userAgentHash, string.GetHashCode(site.AsSpan()));
        var entries = generation.Entries;
        var first = hash & generation.Mask;
        var a = Volatile.Read(ref entries[first]);
        if (Matches(a, address, userAgent, site))
        {
            return a!.Value;
        }

        var b = Volatile.Read(ref entries[first ^ 1]);
        if (Matches(b, address, userAgent, site))
        {
            return b!.Value;
        }

        var value = pseudonymizer.PseudonymizeCookielessVisitor(address, userAgent, site, tag);
        var way = a is null ? first : b is null ? first ^ 1 : ((hash >>> 24) & 1) == 0 ? first : first ^ 1;
        Volatile.Write(ref entries[way], new Entry(address, userAgent, site, value));
        return value;
    }

    private static bool Matches(Entry? entry, in ClientAddress address, string userAgent, string site) =>
        entry is not null && entry.Address == address
            && string.Equals(entry.UserAgent, userAgent, StringComparison.Ordinal) && string.Equals(entry.Site, site, StringComparison.Ordinal);

    /// <summary>Test hook: whether a live entry holds this address or User-Agent.</summary>
    internal bool Holds(in ClientAddress address, string userAgent)
    {
        if (Volatile.Read(ref _current) is not { } generation)
        {
            return false;
        }

        foreach (var entry in generation.Entries)
        {
            if (entry is not null && (entry.Address == address || string.Equals(entry.UserAgent, userAgent, StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    private Generation? Current(long tag) =>
        EpochGeneration.Current(ref _current, tag, _size, static (tag, size) => new Generation(tag, size));

    private sealed class Generation(long tag, int size) : IEpochGeneration
    {
        public long Tag { get; } = tag;

        public int Mask { get; } = size - 1;

        public Entry?[] Entries { get; } = new Entry?[size];
    }

    private sealed record Entry(ClientAddress Address, string UserAgent, string Site, Pseudonym Value);
}
