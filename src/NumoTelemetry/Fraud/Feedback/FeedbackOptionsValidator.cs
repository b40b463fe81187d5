using Microsoft.Extensions.Options;
using NumoTelemetry.Internal;

namespace NumoTelemetry.Fraud.Feedback;

/// <summary>
/// Validates the fraud team's feedback and delivery settings at start-up: <c>NumoTelemetry:Fraud:Detectors:&lt;Name&gt;:Mode</c> (a
/// known detector, a known mode), <c>NumoTelemetry:Fraud:MaxListEntries</c>, <c>NumoTelemetry:Alerts:WorkspaceUrl</c>, the chat
/// webhooks (<c>Alerts:Slack</c>, <c>Alerts:Teams</c>; their URLs are secrets, never repeated) and <c>Alerts:Digest</c>. Each
/// failure names the setting.
/// </summary>
internal sealed class FeedbackOptionsValidator : IValidateOptions<NumoTelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, NumoTelemetryOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (options.Alerts.Enabled)
        {
            ValidateDelivery(errors, options.Alerts);
        }

        if (!options.Fraud.Enabled)
        {
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }

        var f = options.Fraud;
        Check(errors, f.MaxListEntries is >= 1 and <= 10_000_000, "Fraud:MaxListEntries", "must be between 1 and 10,000,000", f.MaxListEntries);
        var names = DetectorCatalog.Names();
        foreach (var (detector, settings) in f.Detectors)
        {
            var known = false;
            foreach (var n in names)
            {
                known |= string.Equals(n, detector, StringComparison.OrdinalIgnoreCase);
            }

            Check(errors, known, $"Fraud:Detectors:{detector}", $"is not a detector (one of {string.Join(", ", names)})", detector);
            if (settings is not null)
            {
                Check(errors, Enum.IsDefined(settings.Mode), $"Fraud:Detectors:{detector}:Mode", "must be Off, Observe, Alert or Enforce", settings.Mode);
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateDelivery(List<string> errors, Alerts.AlertOptions a)
    {
        if (a.WorkspaceUrl is { } workspace)
        {
            Check(errors, IsHttp(workspace), "Alerts:WorkspaceUrl", "must be an absolute http or https URL (the dashboard's address with its prefix)", workspace);
        }

        Chat(errors, a.Slack, "Alerts:Slack");
        Chat(errors, a.Teams, "Alerts:Teams");
        Check(errors, a.Digest.Interval == TimeSpan.Zero || (a.Digest.Interval >= TimeSpan.FromMinutes(1) && a.Digest.Interval <= TimeSpan.FromDays(1)), "Alerts:Digest:Interval", "must be 0 (off) or between 1 minute and 1 day", a.Digest.Interval);
        Check(errors, a.Digest.MaxItems is >= 1 and <= 100, "Alerts:Digest:MaxItems", "must be between 1 and 100", a.Digest.MaxItems);
    }

    private static void Chat(List<string> errors, Alerts.ChatWebhookOptions w, string section)
    {
        if (w.Url is null)
        {
            return;
        }

        Check(errors, IsHttp(w.Url), section + ":Url", "must be an absolute http or https URL", "(hidden)");
        Check(errors, w.MaxAttempts is >= 1 and <= 20, section + ":MaxAttempts", "must be between 1 and 20", w.MaxAttempts);
        Check(errors, w.InitialBackoff > TimeSpan.Zero && w.InitialBackoff <= w.MaxBackoff, section + ":InitialBackoff", $"must be positive and at most {section}:MaxBackoff", w.InitialBackoff);
        Check(errors, w.MaxBackoff <= TimeSpan.FromHours(6), section + ":MaxBackoff", "must be at most 6 hours", w.MaxBackoff);
        Check(errors, w.Timeout > TimeSpan.Zero && w.Timeout <= TimeSpan.FromMinutes(5), section + ":Timeout", "must be between 0 and 5 minutes", w.Timeout);
        Check(errors, w.QueueSize is >= 1 and <= 1_000_000, section + ":QueueSize", "must be between 1 and 1,000,000", w.QueueSize);
    }

    private static bool IsHttp(Uri url) => url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp);

    private static void Check(List<string> errors, bool ok, string setting, string rule, object? value) =>
        SettingRule.Check(errors, ok, setting, rule, value);
}
