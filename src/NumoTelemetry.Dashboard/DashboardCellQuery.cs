namespace NumoTelemetry.Dashboard;

/// <summary>Selects cells of one dimension and granularity in a half-open time range.</summary>
/// <param name="Granularity">The bucket width.</param>
/// <param name="Dimension">The dimension.</param>
/// <param name="From">First bucket start included.</param>
/// <param name="To">First bucket start excluded.</param>
public readonly record struct DashboardCellQuery(DashboardGranularity Granularity, string Dimension, DateTimeOffset From, DateTimeOffset To);
