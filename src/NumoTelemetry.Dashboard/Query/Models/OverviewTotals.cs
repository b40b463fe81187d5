namespace NumoTelemetry.Dashboard.Query.Models;

/// <summary>The released key figures of a range (visits, bounce and duration only without filters).</summary>
internal sealed record OverviewTotals(long? PageViews, long? Visitors, long? Visits, double? BounceRate, double? AverageVisitSeconds, bool Suppressed);
