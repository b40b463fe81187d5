namespace NumoTelemetry.Dashboard;

/// <summary>
/// One entry of the workspace's audit trail: who did what, when, of which kind. A raw-value lookup is recorded with the
/// kind of value looked up and never the value; other entries name the pseudonymous object acted on.
/// </summary>
public sealed class WorkspaceAuditEntry
{
    /// <summary>The entry's id (opaque text, unique).</summary>
    public required string Id { get; init; }

    /// <summary>When (UTC, millisecond precision).</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>The investigator's name from the site's authentication.</summary>
    public required string Who { get; init; }

    /// <summary>What: <c>lookup</c>, <c>review</c>, <c>allow-add</c>, <c>allow-remove</c>, <c>deny-add</c> or <c>deny-remove</c>.</summary>
    public required string Action { get; init; }

    /// <summary>Of which kind: the kind of value looked up (<c>ip</c>, <c>user</c>, <c>email</c>, <c>phone</c>), the review's new state, or the subject kind.</summary>
    public required string Kind { get; init; }

    /// <summary>The pseudonymous object acted on (an alert id, a list entry id), or <see langword="null"/> (always for a lookup).</summary>
    public string? Target { get; init; }
}
