using Microsoft.Extensions.Options;

namespace NumoTelemetry.Dashboard;

/// <summary>Validates <see cref="DashboardOptions"/> at start-up; every message names the setting to fix.</summary>
internal sealed class DashboardOptionsValidator : IValidateOptions<DashboardOptions>
{
    private const string Prefix = "NumoTelemetry:Dashboard:";

    // Long because: a flat list of setting checks, each adding its own NumoTelemetry:Dashboard message.
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            failures.Add($"{Prefix}DatabasePath must name the SQLite file (for example App_Data/numo-dashboard.db).");
        }

        if (options.MinimumCellSize < 2)
        {
            failures.Add($"{Prefix}MinimumCellSize (k) must be at least 2; it was {options.MinimumCellSize}.");
        }

        if (options.NoiseEpsilon is { } epsilon && (!(epsilon > 0) || double.IsInfinity(epsilon)))
        {
            failures.Add($"{Prefix}NoiseEpsilon must be a positive number (or unset to turn noise off); it was {epsilon}.");
        }

        if (!(options.NoiseSensitivity > 0) || double.IsInfinity(options.NoiseSensitivity))
        {
            failures.Add($"{Prefix}NoiseSensitivity must be a positive number; it was {options.NoiseSensitivity}.");
        }

        if (options.WriteInterval <= TimeSpan.Zero || options.WriteInterval > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{Prefix}WriteInterval must be between 0 and 10 minutes; it was {options.WriteInterval}.");
        }

        Days(failures, "MinuteRetentionDays", options.MinuteRetentionDays);
        Days(failures, "HourRetentionDays", options.HourRetentionDays);
        Days(failures, "DayRetentionDays", options.DayRetentionDays);
        if (options.VisitTimeout <= TimeSpan.Zero || options.VisitTimeout > TimeSpan.FromDays(1))
        {
            failures.Add($"{Prefix}VisitTimeout must be between 0 and 1 day; it was {options.VisitTimeout}.");
        }

        if (options.MaxTrackedVisits < 100)
        {
            failures.Add($"{Prefix}MaxTrackedVisits must be at least 100; it was {options.MaxTrackedVisits}.");
        }

        if (options.MaxValuesPerDimension < 10)
        {
            failures.Add($"{Prefix}MaxValuesPerDimension must be at least 10; it was {options.MaxValuesPerDimension}.");
        }

        if (options.MaxValueLength < 16)
        {
            failures.Add($"{Prefix}MaxValueLength must be at least 16; it was {options.MaxValueLength}.");
        }

        if (options.LiveMinutes is < 5 or > 180)
        {
            failures.Add($"{Prefix}LiveMinutes must be between 5 and 180; it was {options.LiveMinutes}.");
        }

        AnalyticsOptionsValidation.Validate(options, failures);
        ValidateWorkspace(failures, options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateWorkspace(List<string> failures, DashboardOptions options)
    {
        if (options.FraudLookupPolicy is { Length: > 0 } && string.IsNullOrWhiteSpace(options.FraudPolicy))
        {
            failures.Add($"{Prefix}FraudLookupPolicy is set but {Prefix}FraudPolicy is not: raw-value lookups are part of the investigators' workspace; set FraudPolicy too.");
        }

        if (options.FraudPolicy is { Length: > 0 } fraud
            && (string.Equals(fraud, options.AuthorizationPolicy, StringComparison.Ordinal) || string.Equals(fraud, options.FraudLookupPolicy, StringComparison.Ordinal)))
        {
            failures.Add($"{Prefix}FraudPolicy must name its own policy, not the analysts' ({Prefix}AuthorizationPolicy) or the lookup one ({Prefix}FraudLookupPolicy); it was '{fraud}'.");
        }

        if (options.FraudLookupPolicy is { Length: > 0 } lookup && string.Equals(lookup, options.AuthorizationPolicy, StringComparison.Ordinal))
        {
            failures.Add($"{Prefix}FraudLookupPolicy must not be the analysts' policy ({Prefix}AuthorizationPolicy); it was '{lookup}'.");
        }

        Days(failures, "FraudAlertRetentionDays", options.FraudAlertRetentionDays);
        Days(failures, "FraudAuditRetentionDays", options.FraudAuditRetentionDays);
        if (options.TimelineSubjects is < 100 or > 10_000_000)
        {
            failures.Add($"{Prefix}TimelineSubjects must be between 100 and 10,000,000; it was {options.TimelineSubjects}.");
        }

        if (options.TimelineRequestsPerSubject is < 1 or > 1000)
        {
            failures.Add($"{Prefix}TimelineRequestsPerSubject must be between 1 and 1000; it was {options.TimelineRequestsPerSubject}.");
        }

        if (options.TimelineRetention <= TimeSpan.Zero || options.TimelineRetention > TimeSpan.FromDays(7))
        {
            failures.Add($"{Prefix}TimelineRetention must be between 0 and 7 days; it was {options.TimelineRetention}.");
        }
    }

    private static void Days(List<string> failures, string setting, int days)
    {
        if (days is < 1 or > 3650)
        {
            failures.Add($"{Prefix}{setting} must be between 1 and 3650; it was {days}.");
        }
    }
}
