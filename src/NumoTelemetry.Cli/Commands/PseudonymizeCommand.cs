using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Cli.Commands;

/// <summary>
/// <c>numo pseudonymize --key-file FILE [--config FILE] --kind KIND [--at TIME] [--value V]</c>: prints the fraud pseudonym
/// that alerts carry for a raw value, one per line in input order. Keys are loaded exactly as the site loads them
/// (<see cref="KeyRing.FromOptions"/>, so a scheduled key activation applies at <c>--at</c>), and prefix lengths and the
/// fraud window come from the same <c>NumoTelemetry:Pseudonymization</c> settings as <c>numo replay --config</c>.
/// </summary>
internal static class PseudonymizeCommand
{
    private static readonly Dictionary<string, PseudonymKind> s_kinds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ip"] = PseudonymKind.Ip,
        ["ip-prefix"] = PseudonymKind.IpPrefix,
        ["session"] = PseudonymKind.Session,
        ["visitor"] = PseudonymKind.Visitor,
        ["user"] = PseudonymKind.User,
        ["phone"] = PseudonymKind.Phone,
        ["email"] = PseudonymKind.Email,
    };

    public static Command Create()
    {
        var keyFile = new Option<FileInfo?>("--key-file") { Description = "The key file (from `numo keygen`). Required unless --config names the keys." };
        var config = new Option<FileInfo?>("--config") { Description = "The site's appsettings.json (NumoTelemetry:Pseudonymization: IPv4PrefixLength, IPv6PrefixLength, FraudWindow, keys), as for `numo replay --config`." };
        var kind = new Option<string>("--kind") { Description = "ip | ip-prefix | session | visitor | user | phone | email", Required = true };
        kind.AcceptOnlyFromAmong([.. s_kinds.Keys]);
        var at = new Option<string?>("--at") { Description = "The time the pseudonym was made (ISO 8601); default now. Fraud pseudonyms change per fraud window and key rotation." };
        var value = new Option<string?>("--value") { Description = "The raw value; without it, one value per stdin line." };
        var fraudWindow = new Option<TimeSpan?>("--fraud-window") { Description = "The site's Pseudonymization:FraudWindow if not the default 30 days (d.hh:mm:ss); overrides --config." };
        var command = new Command("pseudonymize", "Print the fraud pseudonym of a raw value exactly as alerts spell it (for ip-prefix, give an IP).") { keyFile, config, kind, at, value, fraudWindow };
        command.SetAction(parse => Run(
            parse.GetValue(keyFile),
            parse.GetValue(config),
            parse.GetValue(kind)!,
            parse.GetValue(at),
            parse.GetValue(value),
            parse.GetValue(fraudWindow),
            Console.In,
            Console.Out,
            Console.Error));
        return command;
    }

    // Long because: each argument and key-file check ends the command with its own message and exit code, in order.
    internal static int Run(FileInfo? keyFile, FileInfo? config, string kind, string? at, string? value, TimeSpan? fraudWindow, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        if (!s_kinds.TryGetValue(kind, out var k))
        {
            stderr.WriteLine($"numo pseudonymize: unknown --kind {kind}.");
            return 2;
        }

        var options = new PseudonymizationOptions();
        string? contentRoot = null;
        if (config is not null)
        {
            if (!config.Exists)
            {
                stderr.WriteLine($"numo pseudonymize: --config {config.FullName} does not exist.");
                return 2;
            }

            try
            {
                IConfiguration root = new ConfigurationBuilder().AddJsonFile(config.FullName, optional: false).Build();
                var section = root.GetSection(NumoTelemetryOptions.SectionName);
                (section.Exists() ? section : root).GetSection("Pseudonymization").Bind(options);
            }
            catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                stderr.WriteLine($"numo pseudonymize: cannot read --config {config.FullName}: {ex.Message} {ex.InnerException?.Message}".TrimEnd());
                return 2;
            }

            contentRoot = config.DirectoryName;
        }

        if (keyFile is not null)
        {
            if (!keyFile.Exists)
            {
                stderr.WriteLine($"numo pseudonymize: --key-file {keyFile.FullName} does not exist.");
                return 2;
            }

            options.KeyFile = keyFile.FullName;
        }

        if (fraudWindow is { } window)
        {
            options.FraudWindow = window;
        }

        DateTimeOffset when;
        if (at is null)
        {
            when = DateTimeOffset.UtcNow;
        }
        else if (!DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out when))
        {
            stderr.WriteLine($"numo pseudonymize: --at {at} is not an ISO 8601 time.");
            return 2;
        }

        KeyRing ring;
        try
        {
            // The same loading as the site: key file, configured keys, a fixed current key or the activation schedule.
            ring = KeyRing.FromOptions(options, contentRoot);
        }
        catch (KeyRingException ex)
        {
            stderr.WriteLine($"numo pseudonymize: {ex.Message}");
            return 2;
        }

        using var pseudonymizer = new Pseudonymizer(ring, options);
        if (value is not null)
        {
            var p = pseudonymizer.Pseudonymize(k, value, when);
            if (p.IsEmpty)
            {
                stderr.WriteLine("numo pseudonymize: the value could not be used (empty or invalid for --kind).");
                return 1;
            }

            stdout.WriteLine(p.ToString());
            return 0;
        }

        var failures = 0;
        string? line;
        while ((line = stdin.ReadLine()) is not null)
        {
            var p = pseudonymizer.Pseudonymize(k, line, when);
            if (p.IsEmpty)
            {
                failures++;
            }

            // One output line per input line, in order; an unusable value prints an empty line.
            stdout.WriteLine(p.ToString());
        }

        if (failures > 0)
        {
            stderr.WriteLine($"numo pseudonymize: {failures} value(s) could not be used (empty or invalid for --kind); printed as empty lines.");
        }

        return 0;
    }
}
