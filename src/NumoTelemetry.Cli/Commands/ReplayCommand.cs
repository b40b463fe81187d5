using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NumoTelemetry.Cli.Replay;
using NumoTelemetry.Dns;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Cli.Commands;

/// <summary>
/// <c>numo replay --input FILE|- --format jsonl|combined [--geoip-dir DIR] [--dns-server HOST:PORT] [--key-file FILE] [--config FILE]</c>: runs recorded traffic
/// through the same capture and fraud pipeline in simulated time; alerts as JSON lines on stdout, a summary on stderr. Every bad line
/// is skipped and counted by reason (lines = replayed + skipped, and the reasons add up to skipped). Exit code 0, also with bad lines;
/// 2 for bad options or an input that cannot be opened; 1 when the input fails part way (the summary covers what was read).
/// </summary>
internal static class ReplayCommand
{
    /// <summary>
    /// How <c>numo</c> registers <c>--geoip-dir</c>: GeoIP enrichment from every MaxMind database in the directory (recognised by type),
    /// read once (a replay does not watch for replaced files).
    /// </summary>
    public static void AddGeoIPDirectory(INumoTelemetryBuilder builder, DirectoryInfo directory) =>
        builder.AddGeoIP(o =>
        {
            o.DatabaseDirectory = directory.FullName;
            o.WatchForChanges = false;
        });

    /// <summary>
    /// Creates the command. <paramref name="addGeoIP"/> registers GeoIP enrichment from a database directory on the replay's
    /// builder (supplied by the GeoIP package); without it, <c>--geoip-dir</c> is refused with a clear message.
    /// </summary>
    public static Command Create(Action<INumoTelemetryBuilder, DirectoryInfo>? addGeoIP = null)
    {
        var input = new Option<string>("--input") { Description = "The log file, or - for stdin.", Required = true };
        var format = new Option<string>("--format") { Description = "jsonl | combined", DefaultValueFactory = _ => "jsonl" };
        format.AcceptOnlyFromAmong("jsonl", "combined");
        var geoIP = new Option<DirectoryInfo?>("--geoip-dir") { Description = "A directory of MaxMind .mmdb databases for geo, AS and anonymous-network facts." };
        var keyFile = new Option<FileInfo?>("--key-file") { Description = "The site's key file (from `numo keygen`), so alert subjects match `numo pseudonymize`." };
        var dnsServer = new Option<string?>("--dns-server") { Description = "A name server (HOST:PORT or IP) for forward-confirmed reverse DNS of clients that claim to be a crawler, as the site does." };
        var config = new Option<FileInfo?>("--config") { Description = "An appsettings.json with a NumoTelemetry section (detector thresholds, key, cookie names, trusted proxies)." };
        var command = new Command("replay", "Replay recorded traffic through the fraud detectors in simulated time: alerts as JSON lines on stdout, a summary on stderr.")
        {
            input, format, geoIP, keyFile, config, dnsServer,
        };
        command.SetAction(parse => Run(
            parse.GetValue(input)!,
            parse.GetValue(format) == "combined" ? ReplayFormat.Combined : ReplayFormat.Jsonl,
            parse.GetValue(geoIP),
            parse.GetValue(keyFile),
            parse.GetValue(config),
            addGeoIP,
            Console.OpenStandardInput,
            Console.OpenStandardOutput(),
            Console.Error,
            parse.GetValue(dnsServer)));
        return command;
    }

    private static bool IsSettingsError(Exception ex) =>
        ex is OptionsValidationException or KeyRingException or InvalidDataException or FormatException or IOException or InvalidOperationException
        || (ex is AggregateException all && all.InnerExceptions.All(IsSettingsError)); // start-up validation of several option sets

    private static string SettingsError(Exception ex) => ex switch
    {
        OptionsValidationException v => string.Join(" ", v.Failures),
        AggregateException all => string.Join(" ", all.InnerExceptions.Select(SettingsError)),
        _ => ex.Message,
    };

    // Long because: each argument check ends the command with its own message, then one host is built and run.
    internal static int Run(
        string input,
        ReplayFormat format,
        DirectoryInfo? geoIP,
        FileInfo? keyFile,
        FileInfo? config,
        Action<INumoTelemetryBuilder, DirectoryInfo>? addGeoIP,
        Func<Stream> stdin,
        Stream stdout,
        TextWriter stderr,
        string? dnsServer = null)
    {
        if (geoIP is not null && addGeoIP is null)
        {
            stderr.WriteLine("numo replay: --geoip-dir needs the GeoIP enrichment of NumoTelemetry.GeoIP, which this build of numo does not include.");
            return 2;
        }

        if (geoIP is not null && !geoIP.Exists)
        {
            stderr.WriteLine($"numo replay: --geoip-dir {geoIP.FullName} does not exist.");
            return 2;
        }

        if (dnsServer is not null && !NameServerParser.TryParse(dnsServer, out _))
        {
            stderr.WriteLine($"numo replay: --dns-server {dnsServer} is not IP, IP:PORT or [IPv6]:PORT.");
            return 2;
        }

        if (input != "-" && !File.Exists(input))
        {
            stderr.WriteLine($"numo replay: --input {input} does not exist.");
            return 2;
        }

        IConfiguration? configuration = null;
        if (config is not null)
        {
            if (!config.Exists)
            {
                stderr.WriteLine($"numo replay: --config {config.FullName} does not exist.");
                return 2;
            }

            try
            {
                configuration = new ConfigurationBuilder().AddJsonFile(config.FullName, optional: false).Build();
            }
            catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"numo replay: cannot read --config {config.FullName}: {ex.Message} {ex.InnerException?.Message}".TrimEnd());
                return 2;
            }
        }

        using var output = new BufferedStream(stdout, 1 << 16);
        ReplayRunner runner;
        try
        {
            runner = new ReplayRunner(configuration, keyFile?.FullName, b =>
            {
                if (geoIP is not null)
                {
                    addGeoIP!(b, geoIP);
                }

                if (dnsServer is not null)
                {
                    b.AddReplayReverseDns(dnsServer);
                }
            }, output, stderr);
        }
        catch (Exception ex) when (IsSettingsError(ex)) // the binder: "Failed to convert configuration value 'abc' at 'NumoTelemetry:…' to type …"
        {
            stderr.WriteLine($"numo replay: invalid settings: {SettingsError(ex)}");
            return 2;
        }

        using (runner)
        {
            if (runner.EphemeralKey)
            {
                stderr.WriteLine("numo replay: no key configured (--key-file or --config); using a throw-away key, so alert subjects will not match `numo pseudonymize`.");
            }

            Stream stream;
            try
            {
                stream = input == "-" ? stdin() : new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                stderr.WriteLine($"numo replay: cannot read --input {input}: {ex.Message}");
                return 2;
            }

            ReplaySummary summary;
            using (stream)
            {
                summary = runner.Run(stream, format);
            }

            output.Flush();
            stderr.WriteLine(Describe(summary));
            if (summary.ReadError is { } error)
            {
                stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"numo replay: cannot read --input {input}: {error} (stopped after {summary.Lines:N0} lines; the counts above cover them)"));
                return 1;
            }
        }

        return 0;
    }

    internal static string Describe(ReplaySummary s)
    {
        var text = new StringBuilder();
        var skipped = s.SkippedTotal; // every line is replayed or skipped for one reason: Lines = Replayed + SkippedTotal
        text.Append(CultureInfo.InvariantCulture, $"numo replay: {s.Lines:N0} lines ({s.Replayed:N0} replayed, {skipped:N0} skipped");
        if (skipped > 0)
        {
            text.Append(": ").AppendJoin(", ", s.Skipped.OrderByDescending(p => p.Value).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:N0}")));
        }

        text.Append(CultureInfo.InvariantCulture, $") in {s.Elapsed.TotalSeconds:0.00} s, {s.LinesPerSecond:N0} lines/s; {s.Alerts:N0} alerts");
        if (s.Alerts > 0)
        {
            text.Append(": ").AppendJoin(", ", s.AlertsByRule.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:N0}")));
        }

        return text.ToString();
    }
}
