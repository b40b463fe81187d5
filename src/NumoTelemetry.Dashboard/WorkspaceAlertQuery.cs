namespace NumoTelemetry.Dashboard;

/// <summary>Which alerts <see cref="IFraudWorkspaceStore.QueryAlertsAsync"/> returns: every set filter must match (exactly).</summary>
public sealed class WorkspaceAlertQuery
{
    /// <summary>The triage state, or <see langword="null"/> for any.</summary>
    public string? State { get; init; }

    /// <summary>The rule, or <see langword="null"/> for any.</summary>
    public string? Rule { get; init; }

    /// <summary>The severity, or <see langword="null"/> for any.</summary>
    public string? Severity { get; init; }

    /// <summary>The subject kind, or <see langword="null"/> for any.</summary>
    public string? SubjectKind { get; init; }

    /// <summary>The subject (pseudonym or AS number), or <see langword="null"/> for any.</summary>
    public string? Subject { get; init; }

    /// <summary>Only alerts last seen at or after this time, or <see langword="null"/>.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only alerts first seen before this time, or <see langword="null"/>.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>The most alerts returned.</summary>
    /// <value>Default: 100.</value>
    public int Limit { get; init; } = 100;
}
