using NumoTelemetry.Dns.Internal;
using NumoTelemetry.Records;

namespace NumoTelemetry.Dns;

/// <summary>
/// Verdicts keyed by the IP pseudonym, each with an expiry: a <see cref="BoundedCache{TKey, TValue}"/>, bounded and lock-free.
/// A hit allocates nothing; a write replaces the address's entry, or the older one of its set.
/// </summary>
internal sealed class ReverseDnsCache(int capacity)
{
    private readonly BoundedCache<Pseudonym, (ReverseDnsVerdict Verdict, long ExpiresTicks)> _verdicts = new(capacity);

    /// <summary>The unexpired verdict for <paramref name="ip"/>, or <see langword="null"/>.</summary>
    public ReverseDnsVerdict? Get(in Pseudonym ip, long nowTicks) =>
        _verdicts.TryGet(ip, out var held) && held.ExpiresTicks > nowTicks ? held.Verdict : null;

    public void Set(in Pseudonym ip, ReverseDnsVerdict verdict, long expiresTicks) => _verdicts.Set(ip, (verdict, expiresTicks));

    public void Clear() => _verdicts.Clear();
}
