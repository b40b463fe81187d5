namespace NumoTelemetry.Dashboard.Query.Models;

/// <summary>What the page needs to know about the server's settings.</summary>
internal sealed record DashboardMeta(int K, double? NoiseEpsilon, IReadOnlyList<string> Ranges, IReadOnlyList<string> Dimensions, int LiveMinutes, AnalyticsMeta? Analytics = null);

/// <summary>The site's time zone, goals, funnels and sign-out path, for the page.</summary>
internal sealed record AnalyticsMeta(string TimeZone, IReadOnlyList<string> Goals, IReadOnlyList<FunnelMeta> Funnels, string? SignOutPath);

/// <summary>A configured funnel: its name, scope and steps.</summary>
internal sealed record FunnelMeta(string Name, string Within, IReadOnlyList<string> Steps);
