namespace NumoTelemetry.Dashboard;

/// <summary>An alert as the dashboard shows it: pseudonymised, never a raw identifier.</summary>
public sealed class DashboardAlert
{
    /// <summary>When the alert was raised (UTC).</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>The stable rule id or reason code, for example <c>credential_stuffing</c>.</summary>
    public required string Rule { get; init; }

    /// <summary>The severity, for example <c>alert</c> or <c>page</c>.</summary>
    public required string Severity { get; init; }

    /// <summary>The risk score when the alert was raised.</summary>
    public double Score { get; init; }

    /// <summary>The kind of subject, for example <c>ip</c>, <c>session</c> or <c>user</c>.</summary>
    public string? SubjectKind { get; init; }

    /// <summary>The subject's pseudonym (text form <c>k1.xxxx</c>); shown only when <see cref="DashboardOptions.ShowAlertSubjects"/> is on.</summary>
    public string? Subject { get; init; }
}
