namespace NumoTelemetry.Dashboard.Query.Models;

/// <summary>A configured funnel over a range: the visitors reaching each step in order.</summary>
/// <param name="Funnel">The configured funnel's name.</param>
/// <param name="Within"><c>visit</c> or <c>day</c>.</param>
/// <param name="Range">The range name.</param>
/// <param name="From">Range start.</param>
/// <param name="To">Range end.</param>
/// <param name="K">k.</param>
/// <param name="Steps">The steps asked for, in order.</param>
internal sealed record FunnelView(string Funnel, string Within, string Range, DateTimeOffset From, DateTimeOffset To, int K, IReadOnlyList<FunnelStep> Steps);

/// <summary>One funnel step: visitors who reached it after the steps before it, their share of the first step, and the drop-off from the step before.</summary>
internal sealed record FunnelStep(string Step, long? Visitors, double? Conversion, long? DropOff, bool Suppressed);
