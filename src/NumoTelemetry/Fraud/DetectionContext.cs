using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Fraud;

/// <summary>What detectors report to, and what they may ask of the engine's local knowledge (scores built so far).</summary>
internal sealed class DetectionContext
{
    private readonly ScoreBoard _scores;
    private DetectorHit[] _hits = new DetectorHit[16];

    public DetectionContext(FraudOptions options, ScoreBoard scores)
    {
        Options = options;
        _scores = scores;
    }

    public FraudOptions Options { get; }

    public int HitCount { get; private set; }

    public ReadOnlySpan<DetectorHit> Hits => _hits.AsSpan(0, HitCount);

    public void Clear() => HitCount = 0;

    /// <summary>Reports a hit. <paramref name="points"/> are the detector's points (escalate them with <see cref="Escalate"/>).</summary>
    public void Hit(in SubjectKey subject, string reason, double points, bool verdict, DateTimeOffset at, in Evidence evidence)
    {
        if (subject.IsEmpty || points <= 0)
        {
            return;
        }

        if (HitCount == _hits.Length)
        {
            Array.Resize(ref _hits, _hits.Length * 2);
        }

        ref var hit = ref _hits[HitCount++];
        hit.Subject = subject;
        hit.Reason = reason;
        hit.Points = points;
        hit.Verdict = verdict;
        hit.At = at;
        hit.Evidence = evidence;
        hit.Mode = Feedback.DetectorMode.Enforce;
    }

    /// <summary>
    /// Sets the mode of the hits from <paramref name="from"/> on (one detector's, not in <c>Enforce</c> mode) and remembers their
    /// reasons as not enforced.
    /// </summary>
    public void SetMode(int from, Feedback.DetectorMode mode, HashSet<string> unenforced, Feedback.FraudFeedback? feedback)
    {
        for (var i = from; i < HitCount; i++)
        {
            ref var hit = ref _hits[i];
            hit.Mode = mode;
            if (unenforced.Add(hit.Reason))
            {
                feedback?.LearnRule(hit.Reason, mode); // a detector the catalogue does not list: its rule's mode, learned once
            }
        }
    }

    /// <summary>Points scaled by how far <paramref name="observed"/> is above <paramref name="threshold"/>: ×(1 + ¼·log2(observed/threshold)), capped at <see cref="FraudOptions.MaxEscalation"/>.</summary>
    public double Escalate(double points, double observed, double threshold)
    {
        if (threshold <= 0 || observed <= threshold)
        {
            return points;
        }

        return points * Math.Clamp(1 + (0.25 * Math.Log2(observed / threshold)), 1, Math.Max(1, Options.MaxEscalation));
    }

    /// <summary>Whether <paramref name="subject"/> currently holds <paramref name="reason"/> in its score (decayed value of at least 1 point).</summary>
    public bool HasReason(in SubjectKey subject, string reason, DateTimeOffset at) => !subject.IsEmpty && _scores.ValueOf(subject, reason, at) >= 1;
}
