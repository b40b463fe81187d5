namespace NumoTelemetry.Dashboard;

/// <summary>
/// A fraud alert as the investigators' workspace keeps it: one alert group of the fraud engine (one subject, one rule, one
/// episode), its triage state and history. Pseudonyms and aggregates only, never a raw identifier.
/// </summary>
public sealed class WorkspaceAlert
{
    /// <summary>The alert group's stable id (<c>al_…</c>), the same for every notification of the group.</summary>
    public required string Id { get; init; }

    /// <summary>The rule: the reason code of the detector that fired, for example <c>credential_stuffing</c>.</summary>
    public required string Rule { get; init; }

    /// <summary><c>alert</c> or <c>page</c>.</summary>
    public required string Severity { get; init; }

    /// <summary>The subject's risk score at the latest notification.</summary>
    public double Score { get; init; }

    /// <summary><c>ip</c>, <c>ip-prefix</c>, <c>session</c>, <c>visitor</c>, <c>user</c> or <c>asn</c>.</summary>
    public required string SubjectKind { get; init; }

    /// <summary>The subject's fraud pseudonym (<c>k1.…</c>) or AS number.</summary>
    public required string Subject { get; init; }

    /// <summary>The group's first hit (UTC, millisecond precision).</summary>
    public DateTimeOffset FirstSeen { get; init; }

    /// <summary>The group's latest hit (UTC, millisecond precision).</summary>
    public DateTimeOffset LastSeen { get; init; }

    /// <summary>Hits in the group so far.</summary>
    public long Count { get; init; }

    /// <summary>The reasons behind the score as a JSON array of <c>{"code","points"}</c>, largest first. Opaque to the store.</summary>
    public string ReasonsJson { get; init; } = "[]";

    /// <summary>The detector's evidence as a JSON object of named numbers and short texts. Opaque to the store.</summary>
    public string EvidenceJson { get; init; } = "{}";

    /// <summary>The triage state (see <see cref="WorkspaceAlertStates"/>); <see cref="WorkspaceAlertStates.New"/> when first stored.</summary>
    public string State { get; init; } = WorkspaceAlertStates.New;

    /// <summary>The reviews so far, oldest first; empty in lists (<see cref="IFraudWorkspaceStore.QueryAlertsAsync"/>).</summary>
    public IReadOnlyList<WorkspaceHistoryEntry> History { get; init; } = [];
}
