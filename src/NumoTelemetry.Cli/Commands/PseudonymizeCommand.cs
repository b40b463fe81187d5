using System.CommandLine;
using System.Globalization;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Cli.Commands;

/// <summary>
/// <c>numo pseudonymize --key-file FILE --kind KIND [--at TIME] [--value V]</c>: prints the fraud pseudonym
/// that alerts carry for a raw value, one per line in input order.
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
        var keyFile = new Option<FileInfo>("--key-file") { Description = "The key file (from `numo keygen`).", Required = true };
        var kind = new Option<string>("--kind") { Description = "ip | ip-prefix | session | visitor | user | phone | email", Required = true };
        kind.AcceptOnlyFromAmong([.. s_kinds.Keys]);
        var at = new Option<string?>("--at") { Description = "The time the pseudonym was made (ISO 8601); default now. Fraud pseudonyms change per fraud window." };
        var value = new Option<string?>("--value") { Description = "The raw value; without it, one value per stdin line." };
        var fraudWindow = new Option<TimeSpan?>("--fraud-window") { Description = "The site's Pseudonymization:FraudWindow if not the default 30 days (d.hh:mm:ss)." };
        var command = new Command("pseudonymize", "Print the fraud pseudonym of a raw value exactly as alerts spell it (for ip-prefix, give an IP).") { keyFile, kind, at, value, fraudWindow };
        command.SetAction(parse =>
        {
            var file = KeyFile.Read(parse.GetValue(keyFile)!.FullName);
            var options = new PseudonymizationOptions { CurrentKeyId = file.CurrentKeyId, CacheSize = 1024 };
            foreach (var (id, secret) in file.Keys)
            {
                options.Keys[id] = secret;
            }

            if (parse.GetValue(fraudWindow) is { } window)
            {
                options.FraudWindow = window;
            }

            var when = parse.GetValue(at) is { } text
                ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
                : DateTimeOffset.UtcNow;
            using var pseudonymizer = new Pseudonymizer(KeyRing.FromOptions(options), options);
            var k = s_kinds[parse.GetValue(kind)!];
            if (parse.GetValue(value) is { } single)
            {
                Console.Out.WriteLine(Format(pseudonymizer.Pseudonymize(k, single, when)));
                return 0;
            }

            var failures = 0;
            string? line;
            while ((line = Console.In.ReadLine()) is not null)
            {
                var p = pseudonymizer.Pseudonymize(k, line, when);
                if (p.IsEmpty)
                {
                    failures++;
                }

                // One output line per input line, in order; an unusable value prints an empty line.
                Console.Out.WriteLine(Format(p));
            }

            if (failures > 0)
            {
                Console.Error.WriteLine($"numo pseudonymize: {failures} value(s) could not be used (empty or invalid for --kind); printed as empty lines.");
            }

            return 0;
        });
        return command;
    }

    private static string Format(Pseudonym p) => p.ToString();
}
