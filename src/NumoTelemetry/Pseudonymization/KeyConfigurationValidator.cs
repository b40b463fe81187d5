using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace NumoTelemetry.Pseudonymization;

/// <summary>
/// Checks the key settings as configured, before binding loses them: the binder drops a key whose value is an object or an array
/// (<c>"Keys": {"2": {"Secret": "…"}}</c>) without a word, and the site would start without that key; and it refuses a <c>KeyFile</c>
/// that is not a string with a message naming no setting. Each problem found here names its setting.
/// </summary>
internal sealed class KeyConfigurationValidator(IConfiguration configuration) : IValidateOptions<NumoTelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, NumoTelemetryOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        var section = configuration.GetSection("Pseudonymization");
        var keys = section.GetSection("Keys");
        if (!string.IsNullOrEmpty(keys.Value))
        {
            errors.Add($"{Setting("Keys")}: must be a section of key id to base64 secret ({Setting("Keys")}:1, …), not a single value.");
        }

        foreach (var key in keys.GetChildren())
        {
            if (key.Value is null && key.GetChildren().Any())
            {
                errors.Add($"{Setting("Keys")}:{key.Key}: the key must be a base64 string, not an object or an array.");
            }
        }

        foreach (var entry in section.GetSection("KeyActivation").GetChildren())
        {
            if (entry.Value is null && entry.GetChildren().Any())
            {
                errors.Add($"{Setting("KeyActivation")}:{entry.Key}: must be an ISO 8601 time, not an object or an array.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>
    /// Runs before binding: a <c>KeyFile</c> that is an object or an array makes the binder throw "Cannot create instance of type
    /// 'System.String'", which names no setting; this names it instead.
    /// </summary>
    public static void ThrowIfUnbindable(IConfiguration configuration)
    {
        var keyFile = configuration.GetSection("Pseudonymization:KeyFile");
        if (keyFile.Value is null && keyFile.GetChildren().Any())
        {
            throw new OptionsValidationException(
                Options.DefaultName,
                typeof(NumoTelemetryOptions),
                [$"{Setting("KeyFile")}: must be the path of a key file (a string), not an object or an array."]);
        }
    }

    private static string Setting(string name) => $"{NumoTelemetryOptions.SectionName}:Pseudonymization:{name}";
}
