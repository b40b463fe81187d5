namespace NumoTelemetry.Dashboard;

/// <summary>The result of <see cref="IFraudWorkspaceStore.ReviewAlertAsync"/>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Alert">The alert after the review (with history), as it is on a conflict, or <see langword="null"/> when not found.</param>
public sealed record WorkspaceReviewResult(WorkspaceReviewOutcome Outcome, WorkspaceAlert? Alert);
