namespace NumoTelemetry.Dashboard;

/// <summary>What became of a review.</summary>
public enum WorkspaceReviewOutcome
{
    /// <summary>The alert moved to the new state; the review is in its history.</summary>
    Updated = 0,

    /// <summary>No alert has that id.</summary>
    NotFound = 1,

    /// <summary>The alert's current state does not allow the move (<see cref="WorkspaceAlertStates.CanMove"/>); nothing changed.</summary>
    Conflict = 2,
}
