namespace NumoTelemetry.Dashboard;

/// <summary>One review of an alert: who moved it from which state to which, when, and why.</summary>
/// <param name="At">When (UTC, millisecond precision).</param>
/// <param name="Who">The investigator's name from the site's authentication.</param>
/// <param name="From">The state before.</param>
/// <param name="To">The state after.</param>
/// <param name="Note">The investigator's note, or <see langword="null"/>.</param>
public sealed record WorkspaceHistoryEntry(DateTimeOffset At, string Who, string From, string To, string? Note);
