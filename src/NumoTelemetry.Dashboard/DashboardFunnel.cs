namespace NumoTelemetry.Dashboard;

/// <summary>
/// A funnel the dashboard counts (<c>NumoTelemetry:Dashboard:Funnels</c>): ordered steps, each <c>page:/path</c>,
/// <c>goal:Name</c> or <c>event:name</c>. Only configured funnels (and their first steps) can be asked for: steps are
/// counted as visitors pass them, so no per-visitor path is kept. Validated at start-up.
/// </summary>
public sealed class DashboardFunnel
{
    /// <summary>The funnel's name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The steps in order (2 to 8).</summary>
    public IList<string> Steps { get; } = [];

    /// <summary><c>visit</c> (the steps within one visit) or <c>day</c> (within one UTC day of the visitor).</summary>
    /// <value>Default: <c>visit</c>.</value>
    public string Within { get; set; } = "visit";
}
