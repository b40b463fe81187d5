namespace NumoTelemetry.Dashboard.Query.Models;

/// <summary>The compared period of an overview (<c>compare=previous|year</c>): its key figures and series, released as any range's.</summary>
internal sealed record PreviousPeriod(
    string Compare,
    DateTimeOffset From,
    DateTimeOffset To,
    long? PageViews,
    long? Visitors,
    long? Visits,
    double? BounceRate,
    double? AverageVisitSeconds,
    bool Suppressed,
    IReadOnlyList<SeriesPoint> Series);
