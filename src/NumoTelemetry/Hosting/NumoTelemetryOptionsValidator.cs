using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NumoTelemetry.Fraud;
using NumoTelemetry.Internal;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Hosting;

/// <summary>
/// Validates the whole options tree at start-up. Each failure names the setting to fix, as it would be
/// written in appsettings.json (<c>NumoTelemetry:Section:Name</c>).
/// </summary>
internal sealed class NumoTelemetryOptionsValidator(IHostEnvironment? environment = null) : IValidateOptions<NumoTelemetryOptions>
{
    // Long because: a flat list of setting checks, each adding its own NumoTelemetry message.
    public ValidateOptionsResult Validate(string? name, NumoTelemetryOptions options)
    {
        var errors = new List<string>();
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        errors.AddRange(KeyRing.Validate(options.Pseudonymization, environment?.ContentRootPath));

        var p = options.Pseudonymization;
        Check(errors, p.FraudWindow >= TimeSpan.FromHours(1) && p.FraudWindow <= TimeSpan.FromDays(400), "Pseudonymization:FraudWindow", "must be between 1 hour and 400 days", p.FraudWindow);
        Check(errors, p.IPv4PrefixLength is >= 8 and <= 32, "Pseudonymization:IPv4PrefixLength", "must be between 8 and 32", p.IPv4PrefixLength);
        Check(errors, p.IPv6PrefixLength is >= 16 and <= 128, "Pseudonymization:IPv6PrefixLength", "must be between 16 and 128", p.IPv6PrefixLength);
        Check(errors, p.IPv6AddressPrefixLength is >= 48 and <= 128, "Pseudonymization:IPv6AddressPrefixLength", "must be between 48 and 128", p.IPv6AddressPrefixLength);

        var ip = options.ClientIp;
        foreach (var entry in ip.TrustedProxies ?? [])
        {
            Check(errors, ClientAddress.TryParseNetwork(entry, out _, out _), "ClientIp:TrustedProxies", "must hold IP addresses or CIDR networks", entry);
        }

        Check(errors, ip.MaxForwardedHops is >= 1 and <= 64, "ClientIp:MaxForwardedHops", "must be between 1 and 64", ip.MaxForwardedHops);
        Check(errors, Enum.IsDefined(ip.ForwardingHeader), "ClientIp:ForwardingHeader", "must be Auto, XForwardedFor or Forwarded", ip.ForwardingHeader);

        var c = options.Capture;
        Check(errors, !string.IsNullOrWhiteSpace(c.SessionCookieName), "Capture:SessionCookieName", "must not be empty", c.SessionCookieName);
        Check(errors, !string.IsNullOrWhiteSpace(c.VisitorCookieName), "Capture:VisitorCookieName", "must not be empty", c.VisitorCookieName);
        Check(errors, c.VisitorCookieLifetime > TimeSpan.Zero && c.VisitorCookieLifetime <= TimeSpan.FromDays(400), "Capture:VisitorCookieLifetime", "must be between 0 and 400 days (browsers cap cookie lifetime at 400 days)", c.VisitorCookieLifetime);
        Check(errors, c.MaxPathLength is >= 16 and <= 8192, "Capture:MaxPathLength", "must be between 16 and 8192", c.MaxPathLength);
        Check(errors, c.MaxInternedValues is >= 16 and <= 1 << 20, "Capture:MaxInternedValues", "must be between 16 and 1,048,576", c.MaxInternedValues);
        foreach (var entry in c.PhoneNumberTrustedNetworks ?? [])
        {
            Check(errors, ClientAddress.TryParseNetwork(entry, out _, out _), "Capture:PhoneNumberTrustedNetworks", "must hold IP addresses or CIDR networks", entry);
        }

        Check(errors, c.DefaultCountryCallingCode is null || (c.DefaultCountryCallingCode.Length is >= 1 and <= 3 && c.DefaultCountryCallingCode.All(char.IsAsciiDigit)), "Capture:DefaultCountryCallingCode", "must be 1 to 3 digits", c.DefaultCountryCallingCode);
        Check(errors, c.PhonePrefixDigits is >= 0 and <= 8, "Capture:PhonePrefixDigits", "must be between 0 and 8", c.PhonePrefixDigits);

        var ua = options.UserAgents;
        Check(errors, ua.CacheSize is >= 0 and <= 1 << 24, "UserAgents:CacheSize", "must be between 0 and 16,777,216", ua.CacheSize);
        Check(errors, ua.MaxLength is >= 64 and <= 16_384, "UserAgents:MaxLength", "must be between 64 and 16,384", ua.MaxLength);
        Check(errors, ua.MatchTimeout > TimeSpan.Zero && ua.MatchTimeout <= TimeSpan.FromSeconds(10), "UserAgents:MatchTimeout", "must be between 0 and 10 seconds", ua.MatchTimeout);
        Check(errors, ua.RegexesPath is null || File.Exists(ua.RegexesPath), "UserAgents:RegexesPath", "must name an existing regexes.yaml", ua.RegexesPath);

        var q = options.Pipeline;
        Check(errors, q.QueueCapacity is >= 16 and <= 1 << 24, "Pipeline:QueueCapacity", "must be between 16 and 16,777,216", q.QueueCapacity);
        Check(errors, q.BatchSize >= 1 && q.BatchSize <= q.QueueCapacity, "Pipeline:BatchSize", "must be between 1 and QueueCapacity", q.BatchSize);
        Check(errors, q.PollInterval > TimeSpan.Zero && q.PollInterval <= TimeSpan.FromSeconds(10), "Pipeline:PollInterval", "must be between 0 and 10 seconds", q.PollInterval);
        Check(errors, q.FlushInterval > TimeSpan.Zero, "Pipeline:FlushInterval", "must be positive", q.FlushInterval);
        Check(errors, q.ShutdownTimeout >= TimeSpan.Zero, "Pipeline:ShutdownTimeout", "must not be negative", q.ShutdownTimeout);

        Check(errors, Enum.IsDefined(options.Consent.DefaultLevel), "Consent:DefaultLevel", "must be Full, AnalyticsWithoutCookies or FraudPreventionOnly", options.Consent.DefaultLevel);

        var log = options.RequestLog;
        Check(errors, Enum.IsDefined(log.LoggerLevel), "RequestLog:LoggerLevel", "must be a log level (Trace, Debug, Information, Warning, Error, Critical or None)", log.LoggerLevel);
        Check(errors, !log.FileEnabled || !string.IsNullOrWhiteSpace(log.Directory), "RequestLog:Directory", "must be set when the file sink is enabled", log.Directory);
        Check(errors, log.MaxFileBytes >= 4096, "RequestLog:MaxFileBytes", "must be at least 4096", log.MaxFileBytes);
        Check(errors, log.RetentionDays is >= 1 and <= 3650, "RequestLog:RetentionDays", "must be between 1 and 3650", log.RetentionDays);
        var rights = options.SubjectRights;
        Check(errors, rights.LegalHold >= TimeSpan.Zero && rights.LegalHold <= TimeSpan.FromDays(3650), "SubjectRights:LegalHold", "must be between 0 and 3650 days", rights.LegalHold);
        Check(errors, rights.LegalHoldMinimumScore >= 0, "SubjectRights:LegalHoldMinimumScore", "must not be negative", rights.LegalHoldMinimumScore);

        Check(errors, options.Metrics.MaxValuesPerTag is >= 1 and <= 10_000, "Metrics:MaxValuesPerTag", "must be between 1 and 10,000", options.Metrics.MaxValuesPerTag);

        var e = options.Enforcement;
        Check(errors, Enum.IsDefined(e.Mode), "Enforcement:Mode", "must be Monitor, Block or Challenge", e.Mode);
        Check(errors, Enum.IsDefined(e.MinimumBand), "Enforcement:MinimumBand", "must be Watch, Alert or Page", e.MinimumBand);
        Check(errors, Enum.IsDefined(options.Alerts.LogLevel), "Alerts:LogLevel", "must be a log level (Trace, Debug, Information, Warning, Error, Critical or None)", options.Alerts.LogLevel);
        Check(errors, e.StatusCode is >= 400 and <= 599, "Enforcement:StatusCode", "must be a 4xx or 5xx status", e.StatusCode);
        Check(errors, e.RetryAfter >= TimeSpan.FromSeconds(1) && e.RetryAfter <= TimeSpan.FromDays(1), "Enforcement:RetryAfter", "must be between 1 second and 1 day", e.RetryAfter);
        Check(errors, e.Mode != EnforcementMode.Challenge || e.Challenge is not null, "Enforcement:Challenge", "must be set (in code) when Enforcement:Mode is Challenge", null);
        Check(errors, e.MinimumBand != RiskBand.None, "Enforcement:MinimumBand", "must be Watch, Alert or Page", e.MinimumBand);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static void Check(List<string> errors, bool ok, string setting, string rule, object? value) =>
        SettingRule.Check(errors, ok, setting, rule, value);
}
