namespace NumoTelemetry.Dashboard;

/// <summary>
/// What the workspace holds about one person's pseudonyms (<see cref="IFraudWorkspaceStore.ReadRecordsOfSubjectsAsync"/>):
/// their alerts with triage state and history, their allow and deny list entries, and the audit entries that name one of
/// those alerts or entries. Pseudonyms, rule names and investigators' names only.
/// </summary>
public sealed class WorkspaceSubjectRecords
{
    /// <summary>The alerts whose subject is one of the pseudonyms, each with its history; oldest first seen first (then id).</summary>
    public IReadOnlyList<WorkspaceAlert> Alerts { get; init; } = [];

    /// <summary>The list entries of either list whose subject is one of the pseudonyms, expired ones too; oldest first (then id).</summary>
    public IReadOnlyList<WorkspaceListEntry> ListEntries { get; init; } = [];

    /// <summary>The audit entries whose target is one of <see cref="Alerts"/> or <see cref="ListEntries"/>; oldest first (then id).</summary>
    public IReadOnlyList<WorkspaceAuditEntry> Audit { get; init; } = [];

    /// <summary>How many records in all: alerts, list entries and audit entries (an alert's history is part of the alert).</summary>
    public int Count => Alerts.Count + ListEntries.Count + Audit.Count;
}
