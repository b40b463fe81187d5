using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Dashboard.Query.Models;

/// <summary>One of the latest alerts, pseudonymised (the subject only when configured).</summary>
internal sealed record AlertRow(DateTimeOffset Time, string Rule, string Severity, double Score, string? SubjectKind, string? Subject);
