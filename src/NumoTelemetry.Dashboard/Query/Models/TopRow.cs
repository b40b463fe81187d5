namespace NumoTelemetry.Dashboard.Query.Models;

/// <summary>One released row of a list: a value with its count and visitors, or suppressed (both <see langword="null"/>).</summary>
internal sealed record TopRow(string Label, long? Value, long? Visitors, bool Suppressed);
