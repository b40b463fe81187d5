using Microsoft.Extensions.Configuration;
using NumoTelemetry.Dashboard;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Redis;

namespace NumoTelemetry.Cli.Commands;

/// <summary>
/// A site's settings as <c>numo subject</c> and <c>numo retention report</c> read them: the <c>NumoTelemetry</c> section of its
/// appsettings.json (<c>--config</c>, as for <c>numo replay</c>), with the dashboard's and Redis's sections beside it; keys from
/// <c>--key-file</c> too. Relative paths in the file are resolved against the file's folder (the content root).
/// </summary>
internal sealed class SiteSettings
{
    public NumoTelemetryOptions Telemetry { get; } = new();

    public DashboardOptions Dashboard { get; } = new();

    public RedisOptions Redis { get; } = new();

    public NumoTelemetry.Dns.DnsOptions Dns { get; } = new();

    public NumoTelemetry.GeoIP.GeoIPOptions GeoIP { get; } = new();

    /// <summary>The configuration file's folder, used as the content root; <see langword="null"/> without <c>--config</c>.</summary>
    public string? ContentRoot { get; private set; }

    /// <summary>Whether a <c>Dashboard</c> section was configured (the dashboard package is in use).</summary>
    public bool HasDashboard { get; private set; }

    /// <summary>Whether a <c>Redis</c> section was configured.</summary>
    public bool HasRedis { get; private set; }

    /// <summary>Reads the settings; returns <see langword="null"/> after writing the problem to <paramref name="stderr"/>.</summary>
    public static SiteSettings? Load(string command, FileInfo? config, FileInfo? keyFile, TextWriter stderr)
    {
        var settings = new SiteSettings();
        if (config is not null)
        {
            if (!config.Exists)
            {
                stderr.WriteLine($"numo {command}: --config {config.FullName} does not exist.");
                return null;
            }

            try
            {
                IConfiguration root = new ConfigurationBuilder().AddJsonFile(config.FullName, optional: false).Build();
                var section = root.GetSection(NumoTelemetryOptions.SectionName);
                IConfiguration telemetry = section.Exists() ? section : root;
                telemetry.Bind(settings.Telemetry);
                var dashboard = telemetry.GetSection(DashboardOptions.SectionName);
                dashboard.Bind(settings.Dashboard);
                settings.HasDashboard = dashboard.Exists();
                var redis = telemetry.GetSection("Redis");
                redis.Bind(settings.Redis);
                settings.HasRedis = redis.Exists();
                telemetry.GetSection(NumoTelemetry.Dns.DnsOptions.SectionName).Bind(settings.Dns);
                telemetry.GetSection(NumoTelemetry.GeoIP.GeoIPOptions.SectionName).Bind(settings.GeoIP);
            }
            catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                stderr.WriteLine($"numo {command}: cannot read --config {config.FullName}: {ex.Message} {ex.InnerException?.Message}".TrimEnd());
                return null;
            }

            settings.ContentRoot = config.DirectoryName;
        }

        if (keyFile is not null)
        {
            if (!keyFile.Exists)
            {
                stderr.WriteLine($"numo {command}: --key-file {keyFile.FullName} does not exist.");
                return null;
            }

            settings.Telemetry.Pseudonymization.KeyFile = keyFile.FullName;
        }

        return settings;
    }

    /// <summary>A path of the settings, resolved against the content root.</summary>
    public string Resolve(string path) =>
        Path.IsPathRooted(path) || ContentRoot is null ? Path.GetFullPath(path) : Path.GetFullPath(Path.Combine(ContentRoot, path));

    /// <summary>The key ring, loaded as the site loads it; <see langword="null"/> after writing the problem.</summary>
    public Pseudonymizer? CreatePseudonymizer(string command, TextWriter stderr)
    {
        var options = Telemetry.Pseudonymization;
        try
        {
            return new Pseudonymizer(KeyRing.FromOptions(options, ContentRoot), options);
        }
        catch (KeyRingException ex)
        {
            stderr.WriteLine($"numo {command}: {ex.Message}");
            return null;
        }
    }
}
