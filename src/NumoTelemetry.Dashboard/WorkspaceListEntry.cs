namespace NumoTelemetry.Dashboard;

/// <summary>An allow or deny list entry: a pseudonymous subject, optionally one rule only, optionally until a time.</summary>
public sealed class WorkspaceListEntry
{
    /// <summary>The entry's id (opaque text, unique).</summary>
    public required string Id { get; init; }

    /// <summary>Which list.</summary>
    public WorkspaceListKind List { get; init; }

    /// <summary>The subject kind (<c>ip</c>, <c>ip-prefix</c>, <c>session</c>, <c>visitor</c>, <c>user</c>, <c>asn</c>).</summary>
    public required string SubjectKind { get; init; }

    /// <summary>The subject's pseudonym or AS number; never a raw value.</summary>
    public required string Subject { get; init; }

    /// <summary>The rule the entry is for, or <see langword="null"/> for every rule.</summary>
    public string? Rule { get; init; }

    /// <summary>When the entry lapses (UTC), or <see langword="null"/> for never.</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>When it was added (UTC, millisecond precision).</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>The investigator who added it.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>An optional note.</summary>
    public string? Note { get; init; }
}
