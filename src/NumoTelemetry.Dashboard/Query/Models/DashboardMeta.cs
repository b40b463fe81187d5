namespace NumoTelemetry.Dashboard.Query.Models;

/// <summary>What the page needs to know about the server's settings.</summary>
internal sealed record DashboardMeta(int K, double? NoiseEpsilon, IReadOnlyList<string> Ranges, IReadOnlyList<string> Dimensions, int LiveMinutes);
