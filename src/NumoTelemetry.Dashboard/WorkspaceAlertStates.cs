namespace NumoTelemetry.Dashboard;

/// <summary>
/// The triage states of an alert: <c>new</c> → <c>acknowledged</c> → <c>confirmed</c> (fraud) or <c>false-positive</c>.
/// An alert may skip acknowledgement, and a verdict may be corrected (confirmed ↔ false positive); it never goes back to
/// <c>new</c> or <c>acknowledged</c>.
/// </summary>
public static class WorkspaceAlertStates
{
    /// <summary>Raised, not yet looked at.</summary>
    public const string New = "new";

    /// <summary>An investigator is on it.</summary>
    public const string Acknowledged = "acknowledged";

    /// <summary>Confirmed fraud.</summary>
    public const string Confirmed = "confirmed";

    /// <summary>Not fraud: the detector misfired for this subject.</summary>
    public const string FalsePositive = "false-positive";

    /// <summary>Whether <paramref name="state"/> is one of the four states.</summary>
    public static bool IsKnown(string? state) => state is New or Acknowledged or Confirmed or FalsePositive;

    /// <summary>Whether an alert in state <paramref name="from"/> may be moved to <paramref name="to"/>.</summary>
    public static bool CanMove(string from, string to) => (from, to) switch
    {
        (New, Acknowledged or Confirmed or FalsePositive) => true,
        (Acknowledged, Confirmed or FalsePositive) => true,
        (Confirmed, FalsePositive) => true,
        (FalsePositive, Confirmed) => true,
        _ => false,
    };
}
