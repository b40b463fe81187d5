namespace NumoTelemetry.Dashboard;

/// <summary>
/// Where the fraud investigators' workspace keeps its records: alerts with their triage state and history, the allow and
/// deny lists, and the audit trail. Pseudonyms, rule names and investigators' names only: never a raw identifier. The
/// default is the dashboard's SQLite file; a fleet registers a shared server store instead (register it before
/// <c>AddDashboard</c>). Every implementation must pass the conformance suite
/// (<c>FraudWorkspaceStoreConformanceTests</c> in the dashboard's tests).
/// </summary>
public interface IFraudWorkspaceStore
{
    /// <summary>
    /// Records alerts by <see cref="WorkspaceAlert.Id"/>, in one transaction. A new id is stored in state
    /// <see cref="WorkspaceAlertStates.New"/>; an id already stored (a repeat notification of the same alert group) gets the
    /// new severity, score, last seen (the later of the two), count, reasons and evidence, and keeps its first seen, state
    /// and history.
    /// </summary>
    ValueTask UpsertAlertsAsync(IReadOnlyList<WorkspaceAlert> alerts, CancellationToken cancellationToken);

    /// <summary>
    /// The alerts matching <paramref name="query"/>, latest <see cref="WorkspaceAlert.LastSeen"/> first (then id), at most
    /// <see cref="WorkspaceAlertQuery.Limit"/>. Their <see cref="WorkspaceAlert.History"/> is empty (read one alert for it).
    /// </summary>
    ValueTask<IReadOnlyList<WorkspaceAlert>> QueryAlertsAsync(WorkspaceAlertQuery query, CancellationToken cancellationToken);

    /// <summary>One alert with its history (oldest entry first), or <see langword="null"/>.</summary>
    ValueTask<WorkspaceAlert?> GetAlertAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Moves an alert to <see cref="WorkspaceAlertReview.State"/> and appends the review to its history, atomically: the
    /// move is checked against the alert's current state with <see cref="WorkspaceAlertStates.CanMove"/> inside the same
    /// transaction, so two investigators reviewing at once cannot both move it from the same state.
    /// </summary>
    /// <returns>The updated alert with its history; or the outcome <see cref="WorkspaceReviewOutcome.NotFound"/> or
    /// <see cref="WorkspaceReviewOutcome.Conflict"/> (then the alert as it is, unchanged).</returns>
    ValueTask<WorkspaceReviewResult> ReviewAlertAsync(string id, WorkspaceAlertReview review, CancellationToken cancellationToken);

    /// <summary>Adds an allow or deny list entry (its <see cref="WorkspaceListEntry.Id"/> is new and unique).</summary>
    ValueTask AddListEntryAsync(WorkspaceListEntry entry, CancellationToken cancellationToken);

    /// <summary>Removes the entry <paramref name="id"/> of list <paramref name="list"/>; returns it, or <see langword="null"/> when there was none.</summary>
    ValueTask<WorkspaceListEntry?> RemoveListEntryAsync(WorkspaceListKind list, string id, CancellationToken cancellationToken);

    /// <summary>The entries of <paramref name="list"/> not expired at <paramref name="now"/>, newest first.</summary>
    ValueTask<IReadOnlyList<WorkspaceListEntry>> ReadListAsync(WorkspaceListKind list, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Appends an audit entry.</summary>
    ValueTask AppendAuditAsync(WorkspaceAuditEntry entry, CancellationToken cancellationToken);

    /// <summary>The audit entries at or after <paramref name="since"/>, newest first (then id), at most <paramref name="max"/>.</summary>
    ValueTask<IReadOnlyList<WorkspaceAuditEntry>> ReadAuditAsync(DateTimeOffset since, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Retention: deletes alerts last seen before <paramref name="alertsBefore"/> (with their history), audit entries before
    /// <paramref name="auditBefore"/>, and list entries expired at <paramref name="now"/>, leaving no copy behind (deleted bytes
    /// overwritten where the database can). Returns how many records were deleted in all.
    /// </summary>
    ValueTask<int> PurgeWorkspaceAsync(DateTimeOffset alertsBefore, DateTimeOffset auditBefore, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// A person's workspace records (<c>numo subject export</c>): the alerts whose subject is one of <paramref name="subjects"/>
    /// (pseudonym texts) with their history, the list entries of those subjects (expired ones too) and the audit entries whose
    /// target is one of those alerts or entries.
    /// </summary>
    ValueTask<WorkspaceSubjectRecords> ReadRecordsOfSubjectsAsync(IReadOnlySet<string> subjects, CancellationToken cancellationToken);

    /// <summary>
    /// Erases, in one transaction, what <see cref="ReadRecordsOfSubjectsAsync"/> finds for <paramref name="subjects"/> (a person's
    /// erasure, <c>numo subject erase</c>), leaving no copy behind where the database can. Returns how many alerts, list entries and
    /// audit entries were deleted (an alert's history goes with it and is not counted apart).
    /// </summary>
    ValueTask<int> DeleteRecordsOfSubjectsAsync(IReadOnlySet<string> subjects, CancellationToken cancellationToken);
}
