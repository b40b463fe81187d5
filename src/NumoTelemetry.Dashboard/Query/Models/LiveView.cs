namespace NumoTelemetry.Dashboard.Query.Models;

/// <summary>The last minutes: page views per minute, visitors active in the last five minutes, top routes.</summary>
internal sealed record LiveView(int Minutes, DateTimeOffset AsOf, IReadOnlyList<SeriesPoint> Series, TopRow ActiveVisitors, TopList Routes);
