using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Fraud.Feedback;

/// <summary>
/// The fraud team's feedback to the engine: allow and deny lists of pseudonymous subjects, false-positive and confirmed-fraud
/// marks, and the detectors' modes. Registered by <c>AddNumoTelemetry</c>; thread-safe. An entry takes effect on this node at
/// once (the next request of an allowed subject is served), and on every node of a fleet at once when NumoTelemetry.Redis is
/// configured (entries are then kept in Redis and survive restarts). Without Redis, entries live in memory: a host that keeps
/// them (the dashboard store) hands them back at start-up with <see cref="LoadAsync"/>.
/// </summary>
/// <remarks>
/// Subjects are fraud pseudonyms as alerts spell them (<see cref="FraudListEntry.Subject"/>): a value that is not one is refused
/// with an <see cref="ArgumentException"/> whose message never repeats the value.
/// </remarks>
public interface IFraudFeedback
{
    /// <summary>Every detector (its options section under <c>NumoTelemetry:Fraud</c>) and its effective mode, in the order of <see cref="FraudOptions"/>.</summary>
    IReadOnlyList<FraudDetectorInfo> Detectors { get; }

    /// <summary>The effective mode of the detector that raises <paramref name="rule"/> (<see cref="DetectorMode.Enforce"/> for a rule no detector is known to raise, such as <see cref="ReasonCodes.DenyList"/>).</summary>
    DetectorMode ModeOfRule(string rule);

    /// <summary>
    /// Adds <paramref name="entry"/> (or replaces the entry with its <see cref="FraudListEntry.Id"/>) and returns it as stored, with
    /// its id and creation time. Takes effect at once; counted in <c>numo.fraud.list.changes</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The subject is not a pseudonym or AS number of its kind, the kind is <see cref="SubjectKind.None"/>, the rule or id is malformed, or the entry has expired.</exception>
    ValueTask<FraudListEntry> AddAsync(FraudListEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Removes the entry with <paramref name="id"/>; <see langword="false"/> when there is none.</summary>
    ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records an investigator's verdict on <paramref name="rule"/>'s alert for a subject, counted per rule. A false positive also
    /// puts the subject on the allow list for the rule (until <paramref name="expires"/>, or for good) and returns that entry;
    /// a confirmed fraud removes allow entries earlier false-positive marks made for the subject and rule, and returns
    /// <see langword="null"/>.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="AddAsync"/>, or <paramref name="rule"/> is empty.</exception>
    ValueTask<FraudListEntry?> MarkAsync(FraudVerdict verdict, SubjectKind subjectKind, string subject, string rule, DateTimeOffset? expires = null, string? by = null, CancellationToken cancellationToken = default);

    /// <summary>The entries that apply now (expired ones are left out), newest first; of one list, or of both when <paramref name="list"/> is <see langword="null"/>.</summary>
    IReadOnlyList<FraudListEntry> GetEntries(FraudListKind? list = null);

    /// <summary>
    /// Loads entries kept elsewhere (the dashboard store) at start-up: each is added unless an entry with its id is already held;
    /// expired and malformed ones are skipped (and counted). Not counted as changes. Returns how many were loaded.
    /// </summary>
    ValueTask<int> LoadAsync(IEnumerable<FraudListEntry> entries, CancellationToken cancellationToken = default);
}
