using Microsoft.Extensions.Options;

namespace NumoTelemetry.GeoIP;

/// <summary>Validates <see cref="GeoIPOptions"/> at start-up; each message names the setting.</summary>
internal sealed class GeoIPOptionsValidator : IValidateOptions<GeoIPOptions>
{
    public ValidateOptionsResult Validate(string? name, GeoIPOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        var any = !string.IsNullOrWhiteSpace(options.DatabaseDirectory);
        for (var i = 0; i < GeoIPSlots.Count; i++)
        {
            any |= !string.IsNullOrWhiteSpace(GeoIPSlots.ConfiguredPath(options, (GeoIPSlot)i));
        }

        if (!any)
        {
            errors.Add("NumoTelemetry:GeoIP: set DatabaseDirectory or at least one of CityDatabasePath, AsnDatabasePath, AnonymousIPDatabasePath, IspDatabasePath, ConnectionTypeDatabasePath (or set Enabled to false).");
        }

        if (options.CacheSize is < 16 or > 1 << 26)
        {
            errors.Add($"NumoTelemetry:GeoIP:CacheSize must be between 16 and 67,108,864 (was {options.CacheSize}).");
        }

        if (options.ReloadDelay < TimeSpan.Zero || options.ReloadDelay > TimeSpan.FromMinutes(10))
        {
            errors.Add($"NumoTelemetry:GeoIP:ReloadDelay must be between 0 and 10 minutes (was {options.ReloadDelay}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
