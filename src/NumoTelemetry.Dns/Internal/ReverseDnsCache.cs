using NumoTelemetry.Records;

namespace NumoTelemetry.Dns;

/// <summary>
/// A bounded, lock-free, direct-mapped cache of verdicts keyed by the IP pseudonym, each with an expiry. A hit
/// allocates nothing; a write replaces the slot.
/// </summary>
internal sealed class ReverseDnsCache
{
    private readonly Entry?[] _entries;
    private readonly int _mask;

    public ReverseDnsCache(int capacity)
    {
        var size = (int)Math.Min(1 << 26, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity)));
        _entries = new Entry?[size];
        _mask = size - 1;
    }

    /// <summary>The unexpired verdict for <paramref name="ip"/>, or <see langword="null"/>.</summary>
    public ReverseDnsVerdict? Get(in Pseudonym ip, long nowTicks)
    {
        var entry = Volatile.Read(ref _entries[(int)ip.Hash64 & _mask]);
        return entry is not null && entry.ExpiresTicks > nowTicks && entry.Key.Equals(ip) ? entry.Verdict : null;
    }

    public void Set(in Pseudonym ip, ReverseDnsVerdict verdict, long expiresTicks) =>
        Volatile.Write(ref _entries[(int)ip.Hash64 & _mask], new Entry(ip, verdict, expiresTicks));

    public void Clear() => Array.Clear(_entries);

    private sealed class Entry(Pseudonym key, ReverseDnsVerdict verdict, long expiresTicks)
    {
        public Pseudonym Key { get; } = key;

        public ReverseDnsVerdict Verdict { get; } = verdict;

        public long ExpiresTicks { get; } = expiresTicks;
    }
}
