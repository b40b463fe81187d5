using NumoTelemetry.Fraud.State;
using NumoTelemetry.Internal;

namespace NumoTelemetry.Fraud;

/// <summary>
/// The risk of subjects that have any, for the request hot path: a <see cref="BoundedCache{TKey, TValue}"/> written by the
/// pipeline thread, read lock-free by request threads. A read allocates nothing; a subject without risk costs two array reads.
/// </summary>
internal sealed class RiskCache : ISubjectRisk
{
    private readonly BoundedCache<Key, Risk> _risks;
    private readonly double _halfLifeMs;

    public RiskCache(int capacity, TimeSpan halfLife)
    {
        _risks = new BoundedCache<Key, Risk>(capacity);
        _halfLifeMs = Math.Max(1, halfLife.TotalMilliseconds);
    }

    /// <summary>Publishes a subject's score (as of <paramref name="at"/>), all of it enforced; a score below 0.5 clears it.</summary>
    public void Set(in SubjectKey subject, double score, string? topReason, DateTimeOffset at) => Set(subject, score, topReason, at, score);

    /// <summary>
    /// Publishes a subject's score and the part of it that is enforced (points of detectors in <c>Enforce</c> mode); a score below
    /// 0.5 clears it.
    /// </summary>
    public void Set(in SubjectKey subject, double score, string? topReason, DateTimeOffset at, double enforced)
    {
        var key = new Key(subject.Kind, subject.Hash64);
        if (score < 0.5)
        {
            _risks.Remove(key);
            return;
        }

        _risks.Set(key, new Risk(score, StateMath.UnixMs(at), topReason, Math.Min(score, enforced)));
    }

    /// <summary>The decayed score of a subject at <paramref name="atMs"/>, or 0.</summary>
    public double Get(SubjectKind kind, ulong hash, long atMs, out string? topReason) => Get(kind, hash, atMs, out topReason, out _);

    /// <summary>The decayed score of a subject at <paramref name="atMs"/> and its enforced part, or 0.</summary>
    public double Get(SubjectKind kind, ulong hash, long atMs, out string? topReason, out double enforced)
    {
        if (!_risks.TryGet(new Key(kind, hash), out var risk))
        {
            topReason = null;
            enforced = 0;
            return 0;
        }

        topReason = risk.TopReason;
        var elapsed = atMs - risk.AtMs;
        enforced = StateMath.Decay(risk.Enforced, elapsed, _halfLifeMs);
        return StateMath.Decay(risk.Score, elapsed, _halfLifeMs);
    }

    /// <inheritdoc/>
    public double Get(in SubjectKey subject, DateTimeOffset at, out string? topReason) =>
        Get(subject.Kind, subject.Hash64, at.ToUnixTimeMilliseconds(), out topReason);

    /// <summary>A subject as the cache tells subjects apart: its kind and 64-bit hash.</summary>
    private readonly record struct Key(SubjectKind Kind, ulong Hash)
    {
        public override int GetHashCode() => SubjectKey.TableHash(Kind, Hash);
    }

    private readonly record struct Risk(double Score, long AtMs, string? TopReason, double Enforced);
}
