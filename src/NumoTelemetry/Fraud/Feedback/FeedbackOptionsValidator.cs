using Microsoft.Extensions.Options;

namespace NumoTelemetry.Fraud.Feedback;

/// <summary>
/// Validates the fraud team's feedback settings at start-up: <c>NumoTelemetry:Fraud:Detectors:&lt;Name&gt;:Mode</c> (a known
/// detector, a known mode) and <c>NumoTelemetry:Fraud:MaxListEntries</c>. Each failure names the setting.
/// </summary>
internal sealed class FeedbackOptionsValidator : IValidateOptions<NumoTelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, NumoTelemetryOptions options)
    {
        if (!options.Enabled || !options.Fraud.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
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

    private static void Check(List<string> errors, bool ok, string setting, string rule, object? value) =>
        NumoTelemetryOptionsValidator.Check(errors, ok, setting, rule, value);
}
