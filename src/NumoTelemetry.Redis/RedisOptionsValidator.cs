using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace NumoTelemetry.Redis;

/// <summary>Validates <see cref="RedisOptions"/> at start-up; each failure names the setting (<c>NumoTelemetry:Redis:Name</c>).</summary>
internal sealed class RedisOptionsValidator : IValidateOptions<RedisOptions>
{
    private const string Section = "NumoTelemetry:Redis:";

    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Configuration))
        {
            errors.Add(Section + "Configuration is required (a StackExchange.Redis configuration string such as 127.0.0.1:6379).");
        }
        else
        {
            try
            {
                var parsed = ConfigurationOptions.Parse(options.Configuration);
                if (parsed.EndPoints.Count == 0)
                {
                    errors.Add(Section + "Configuration names no endpoint (expected host:port).");
                }
            }
            catch (ArgumentException)
            {
                // The message may echo the string, which can hold a password: do not repeat it.
                errors.Add(Section + "Configuration is not a valid StackExchange.Redis configuration string.");
            }
        }

        if (!IsValidPrefix(options.KeyPrefix))
        {
            errors.Add(Section + "KeyPrefix must be 1 to 64 characters of letters, digits and ':._-', not ending with ':'.");
        }

        Check(errors, options.Database >= -1, "Database", "must be -1 (the default database) or a database number");
        Check(errors, options.ConnectTimeout >= TimeSpan.FromMilliseconds(50) && options.ConnectTimeout <= TimeSpan.FromMinutes(1), "ConnectTimeout", "must be between 50 ms and 1 minute");
        Check(errors, options.OperationTimeout >= TimeSpan.FromMilliseconds(10) && options.OperationTimeout <= TimeSpan.FromSeconds(30), "OperationTimeout", "must be between 10 ms and 30 seconds");
        Check(errors, options.BreakDuration >= TimeSpan.FromMilliseconds(100) && options.BreakDuration <= TimeSpan.FromMinutes(10), "BreakDuration", "must be between 100 ms and 10 minutes");
        Check(errors, options.ListRefreshInterval >= TimeSpan.FromSeconds(1) && options.ListRefreshInterval <= TimeSpan.FromHours(1), "ListRefreshInterval", "must be between 1 second and 1 hour");
        Check(errors, options.MaxOperationsPerCall is >= 16 and <= 100_000, "MaxOperationsPerCall", "must be between 16 and 100,000");
        Check(errors, options.ReplayCapacity is >= 0 and <= 10_000_000, "ReplayCapacity", "must be between 0 and 10,000,000");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static bool IsValidPrefix(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix) || prefix.Length > 64 || prefix[^1] == ':')
        {
            return false;
        }

        foreach (var c in prefix)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not (':' or '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static void Check(List<string> errors, bool ok, string setting, string rule)
    {
        if (!ok)
        {
            errors.Add(Section + setting + " " + rule + ".");
        }
    }
}
