namespace NumoTelemetry.Dashboard;

/// <summary>An investigator's review of an alert (see <see cref="IFraudWorkspaceStore.ReviewAlertAsync"/>).</summary>
/// <param name="State">The new state: <see cref="WorkspaceAlertStates.Acknowledged"/>, <see cref="WorkspaceAlertStates.Confirmed"/> or <see cref="WorkspaceAlertStates.FalsePositive"/>.</param>
/// <param name="Who">The investigator's name from the site's authentication.</param>
/// <param name="At">When (UTC).</param>
/// <param name="Note">An optional note.</param>
public sealed record WorkspaceAlertReview(string State, string Who, DateTimeOffset At, string? Note);
