using Microsoft.Extensions.Options;
using Npgsql;

namespace NumoTelemetry.Dashboard.PostgreSql.Internal;

/// <summary>Validates <see cref="PostgreSqlDashboardOptions"/> at start-up; each failure names the setting (<c>NumoTelemetry:Dashboard:PostgreSql:Name</c>).</summary>
internal sealed class PostgreSqlDashboardOptionsValidator : IValidateOptions<PostgreSqlDashboardOptions>
{
    private const string Section = "NumoTelemetry:Dashboard:PostgreSql:";

    public ValidateOptionsResult Validate(string? name, PostgreSqlDashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add(Section + "ConnectionString is required (an Npgsql connection string such as Host=127.0.0.1;Database=numo;Username=numo).");
        }
        else
        {
            try
            {
                var parsed = new NpgsqlConnectionStringBuilder(options.ConnectionString);
                if (string.IsNullOrEmpty(parsed.Host))
                {
                    errors.Add(Section + "ConnectionString names no Host.");
                }
            }
            catch (ArgumentException)
            {
                // The message may echo the string, which can hold a password: do not repeat it.
                errors.Add(Section + "ConnectionString is not a valid Npgsql connection string.");
            }
        }

        if (!IsValidSchema(options.Schema))
        {
            errors.Add(Section + "Schema must be 1 to 48 characters of lower-case letters, digits and '_', starting with a letter or '_'.");
        }

        Check(errors, options.CommandTimeout >= TimeSpan.FromSeconds(1) && options.CommandTimeout <= TimeSpan.FromMinutes(10), "CommandTimeout", "must be between 1 second and 10 minutes");
        Check(errors, options.MaxBufferedCells is >= 1_000 and <= 10_000_000, "MaxBufferedCells", "must be between 1,000 and 10,000,000");
        Check(errors, options.MaxRetryDelay >= TimeSpan.FromMilliseconds(250) && options.MaxRetryDelay <= TimeSpan.FromMinutes(10), "MaxRetryDelay", "must be between 250 ms and 10 minutes");
        Check(errors, options.ShutdownTimeout >= TimeSpan.Zero && options.ShutdownTimeout <= TimeSpan.FromMinutes(5), "ShutdownTimeout", "must be between 0 and 5 minutes");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static bool IsValidSchema(string? schema)
    {
        if (string.IsNullOrEmpty(schema) || schema.Length > 48 || char.IsAsciiDigit(schema[0]))
        {
            return false;
        }

        foreach (var c in schema)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '_')
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
