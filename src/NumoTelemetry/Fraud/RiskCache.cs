using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Fraud;

/// <summary>
/// The risk of subjects that have any, for the request hot path: a direct-mapped array of immutable entries, written by the
/// pipeline thread, read lock-free by request threads. A read allocates nothing; a subject without risk costs one array read.
/// </summary>
internal sealed class RiskCache : ISubjectRisk
{
    private readonly Entry?[] _slots;
    private readonly int _mask;
    private readonly double _halfLifeMs;

    public RiskCache(int capacity, TimeSpan halfLife)
    {
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity, 16, 1 << 24));
        _slots = new Entry?[size];
        _mask = size - 1;
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
        var hash = subject.Hash64;
        ref var slot = ref _slots[(int)(hash ^ (ulong)subject.Kind) & _mask];
        if (score < 0.5)
        {
            var current = Volatile.Read(ref slot);
            if (current is not null && current.Hash == hash && current.Kind == subject.Kind)
            {
                Volatile.Write(ref slot, null);
            }

            return;
        }

        Volatile.Write(ref slot, new Entry(hash, subject.Kind, score, StateMath.UnixMs(at), topReason, Math.Min(score, enforced)));
    }

    /// <summary>The decayed score of a subject at <paramref name="atMs"/>, or 0.</summary>
    public double Get(SubjectKind kind, ulong hash, long atMs, out string? topReason) => Get(kind, hash, atMs, out topReason, out _);

    /// <summary>The decayed score of a subject at <paramref name="atMs"/> and its enforced part, or 0.</summary>
    public double Get(SubjectKind kind, ulong hash, long atMs, out string? topReason, out double enforced)
    {
        var entry = Volatile.Read(ref _slots[(int)(hash ^ (ulong)kind) & _mask]);
        if (entry is null || entry.Hash != hash || entry.Kind != kind)
        {
            topReason = null;
            enforced = 0;
            return 0;
        }

        topReason = entry.TopReason;
        var elapsed = atMs - entry.AtMs;
        enforced = StateMath.Decay(entry.Enforced, elapsed, _halfLifeMs);
        return StateMath.Decay(entry.Score, elapsed, _halfLifeMs);
    }

    private sealed record Entry(ulong Hash, SubjectKind Kind, double Score, long AtMs, string? TopReason, double Enforced);

    /// <inheritdoc/>
    public double Get(in SubjectKey subject, DateTimeOffset at, out string? topReason) =>
        Get(subject.Kind, subject.Hash64, at.ToUnixTimeMilliseconds(), out topReason);
}
