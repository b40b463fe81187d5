using NumoTelemetry.Records;

namespace NumoTelemetry.SubjectRights;

/// <summary>
/// What <c>NumoSignals().AccountClosed(user)</c> erases on the running site (section <c>NumoTelemetry:SubjectRights</c>).
/// <c>numo subject export</c> and <c>numo subject erase</c> find and erase a person's data on request; see docs/retention.md.
/// </summary>
public sealed class SubjectRightsOptions
{
    /// <summary>
    /// Erases the closed account's fraud state (every pseudonym of the account under every key in the ring, in the current and
    /// the previous fraud window) in this process and in a shared store (Redis).
    /// </summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool EraseFraudStateOnAccountClosed { get; set; } = true;

    /// <summary>
    /// Also queues the erasure of the account's lines from the request log (every file of the retention period, rewritten
    /// while the site keeps writing). The account's lines are those with its <c>user</c> pseudonym or a signal naming it.
    /// </summary>
    /// <value>Default: <see langword="false"/>.</value>
    public bool EraseLogsOnAccountClosed { get; set; }

    /// <summary>
    /// The legal hold for confirmed fraud: an account whose fraud score is at least <see cref="LegalHoldMinimumScore"/> when it
    /// closes keeps its fraud state (which then ages out with its windows) and, when <see cref="EraseLogsOnAccountClosed"/> is
    /// on, its request-log lines are erased only once this period has passed (the queued erasure waits in the request log's
    /// <c>.erasure</c> folder and survives restarts). Zero: no hold.
    /// </summary>
    /// <value>Default: zero (no hold).</value>
    public TimeSpan LegalHold { get; set; }

    /// <summary>
    /// The score from which an account's closure is held (see <see cref="LegalHold"/>); 0 uses <c>NumoTelemetry:Fraud:AlertScore</c>
    /// (the score at which an alert was raised).
    /// </summary>
    /// <value>Default: 0 (the alert score).</value>
    public double LegalHoldMinimumScore { get; set; }
}
