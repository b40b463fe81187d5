namespace NumoTelemetry.Dashboard.Query.Models;

/// <summary>Alerts of one rule and severity in a range.</summary>
internal sealed record AlertCount(string Rule, string Severity, int Count);
