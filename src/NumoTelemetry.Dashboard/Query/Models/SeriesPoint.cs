namespace NumoTelemetry.Dashboard.Query.Models;

/// <summary>One released time bucket.</summary>
internal sealed record SeriesPoint(DateTimeOffset T, long? PageViews, long? Visitors, bool Suppressed);
