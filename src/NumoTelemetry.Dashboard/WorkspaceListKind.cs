namespace NumoTelemetry.Dashboard;

/// <summary>The two feedback lists of the workspace.</summary>
public enum WorkspaceListKind
{
    /// <summary>Subjects whose alerts stop and whose requests are not enforced (for a rule, or for every rule).</summary>
    Allow = 0,

    /// <summary>Subjects that are enforced regardless of their score (for a rule, or for every rule).</summary>
    Deny = 1,
}
