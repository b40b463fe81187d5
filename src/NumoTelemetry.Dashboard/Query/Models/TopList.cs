namespace NumoTelemetry.Dashboard.Query.Models;

/// <summary>A released top list.</summary>
/// <param name="Dimension">The dimension.</param>
/// <param name="Metric"><c>pageViews</c> or <c>requests</c>.</param>
/// <param name="Filtered">Whether the filters were applied (they apply to route, country, browser and device lists).</param>
/// <param name="Rows">Rows shown individually, largest first, then suppressed rows.</param>
/// <param name="Other">Everything not shown individually, when it may be released.</param>
/// <param name="Total">The list's total.</param>
internal sealed record TopList(string Dimension, string Metric, bool Filtered, IReadOnlyList<TopRow> Rows, TopRow? Other, TopRow Total);
