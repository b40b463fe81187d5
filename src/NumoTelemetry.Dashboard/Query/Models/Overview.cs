namespace NumoTelemetry.Dashboard.Query.Models;

/// <summary>Traffic over time for a range.</summary>
internal sealed record Overview(
    string Range,
    string Granularity,
    DateTimeOffset From,
    DateTimeOffset To,
    int K,
    bool Noise,
    bool Filtered,
    OverviewTotals Totals,
    IReadOnlyList<SeriesPoint> Series,
    PreviousPeriod? Previous = null);
