namespace NumoTelemetry.Dashboard;

/// <summary>
/// A goal of the analyst dashboard (<c>NumoTelemetry:Dashboard:Goals</c>): a page reached (<see cref="Path"/>) or an
/// event raised (<see cref="Event"/>). Exactly one of the two is set. Validated at start-up.
/// </summary>
public sealed class DashboardGoal
{
    /// <summary>The name shown in the goal list and used in funnels and filters (<c>goal:Name</c>).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>
    /// A page path or route template (<c>/checkout/done</c>, <c>/products/{id:int}</c>), or a pattern where <c>*</c>
    /// matches any characters (<c>/checkout/*/done</c>). A page view matches when its route template or its path does.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>
    /// An event: a name given to <c>NumoSignals().Custom(name)</c>, or <c>signup</c> or <c>login</c> (sign-ups and
    /// successful logins).
    /// </summary>
    public string? Event { get; set; }
}
