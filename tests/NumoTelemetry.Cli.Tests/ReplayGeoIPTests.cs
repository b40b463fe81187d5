using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NumoTelemetry.Cli.Commands;
using NumoTelemetry.Cli.Replay;
using NumoTelemetry.Records;

namespace NumoTelemetry.Cli.Tests;

/// <summary>
/// <c>numo replay --geoip-dir</c> with MaxMind's official test databases, registered as <c>numo</c> registers them: the geo-dependent
/// detectors see the facts <c>numo enrich</c> prints. Addresses and their locations come from the databases' source files:
/// 2.125.160.220 Boxford GB (51.75, -1.25, ±100 km), 81.2.69.142 London GB (51.5142, -0.0931, ±10 km),
/// 175.16.199.37 Changchun CN (43.88, 125.3228, ±100 km), 89.160.20.112 Linköping SE (AS 29518).
/// </summary>
public sealed class ReplayGeoIPTests() : ReplayTestFiles("numo-replay-geoip-")
{
    private const string SkipReason = "MaxMind test databases not found in ../shared/testdata/maxmind beside the repository.";
    private const string Boxford = "2.125.160.220";
    private const string London = "81.2.69.142";
    private const string Changchun = "175.16.199.37";

    private static string Line(DateTimeOffset at, string ip, string method, string path, int status, params (string Name, string Value)[] extra)
    {
        var json = new StringBuilder();
        json.Append(CultureInfo.InvariantCulture, $"{{\"ts\":\"{at.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}\",\"ip\":\"{ip}\",\"method\":\"{method}\",\"path\":\"{path}\",\"status\":{status},\"ua\":{JsonSerializer.Serialize(Chrome)}");
        foreach (var (name, value) in extra)
        {
            json.Append(CultureInfo.InvariantCulture, $",\"{name}\":{JsonSerializer.Serialize(value)}");
        }

        return json.Append('}').ToString();
    }

    private static string Login(DateTimeOffset at, string ip, string user) => Line(at, ip, "POST", "/login", 302, ("event", "login_succeeded"), ("user", user));

    /// <summary><paramref name="count"/> page views spread over the time between <paramref name="from"/> and <paramref name="to"/>, from 200 other clients.</summary>
    private static IEnumerable<string> Filler(DateTimeOffset from, DateTimeOffset to, int count)
    {
        var step = (to - from).Ticks / (count + 1);
        for (var i = 1; i <= count; i++)
        {
            yield return Line(from.AddTicks(step * i), $"81.2.{i % 200}.{(i % 7) + 10}", "GET", $"/p/{i % 40}", 200, ("session", $"filler-{i % 200}"));
        }
    }

    private (int Code, List<JsonElement> Alerts, string Stderr) Replay(string geoIPDirectory, IEnumerable<string> lines)
    {
        var input = Path.Combine(WorkDirectory, $"input-{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(input, lines);
        using var stdout = new MemoryStream();
        using var stderr = new StringWriter();
        var code = ReplayCommand.Run(input, ReplayFormat.Jsonl, new DirectoryInfo(geoIPDirectory), new FileInfo(KeyFilePath()), null, ReplayCommand.AddGeoIPDirectory, () => Stream.Null, stdout, stderr);
        var alerts = Encoding.UTF8.GetString(stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(a => JsonDocument.Parse(a).RootElement.Clone()).ToList();
        return (code, alerts, stderr.ToString());
    }

    private static string UserPseudonym(string keyFile, string user)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { typeof(ReplayCommand).Assembly.Location, "pseudonymize", "--key-file", keyFile, "--kind", "user", "--at", T0.ToString("O", CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.WriteLine(user);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output.Trim();
    }

    private static List<JsonElement> Rule(List<JsonElement> alerts, string rule) => [.. alerts.Where(a => a.GetProperty("rule").GetString() == rule)];

    private static JsonElement Evidence(JsonElement alert, string name) => alert.GetProperty("evidence").GetProperty(name);

    [SkippableFact]
    public void Run_LondonThenChangchunTwelveMinutesLater_OneImpossibleTravelAlertOnTheAccount()
    {
        var dir = NumoTelemetry.Testing.SharedTestData.Find("maxmind");
        Skip.If(dir is null, SkipReason);
        var lines = new List<string> { Login(T0, Boxford, "traveller@example.com") };
        lines.AddRange(Filler(T0, T0.AddMinutes(12), 2_000));
        lines.Add(Login(T0.AddMinutes(12), Changchun, "traveller@example.com"));

        var (code, alerts, stderr) = Replay(dir!, lines);

        Assert.Equal(0, code);
        Assert.Contains("2,002 replayed", stderr, StringComparison.Ordinal);
        var alert = Assert.Single(Rule(alerts, "impossible-travel"));
        Assert.Equal("user", alert.GetProperty("subjectKind").GetString());
        Assert.Equal(UserPseudonym(KeyFilePath(), "traveller@example.com"), alert.GetProperty("subject").GetString());
        Assert.Equal("GB", Evidence(alert, "previousCountry").GetString());
        Assert.Equal("CN", Evidence(alert, "country").GetString());
        Assert.InRange(Evidence(alert, "distanceKm").GetDouble(), 7_900, 8_300); // Boxford–Changchun great circle ≈ 8,110 km
        Assert.Equal(0.2, Evidence(alert, "hours").GetDouble());
        Assert.DoesNotContain(alerts, a => a.ToString().Contains("traveller", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Run_PlausibleTravellers_NoAlertWhileAnImpossibleOneInTheSameLogIsFlagged()
    {
        var dir = NumoTelemetry.Testing.SharedTestData.Find("maxmind");
        Skip.If(dir is null, SkipReason);
        var lines = new List<string>
        {
            // Boxford then London 12 minutes later: ≈ 80 km apart, within both accuracy radii (a commuter, GeoIP jitter).
            Login(T0, Boxford, "commuter@example.com"),
            Login(T0.AddMinutes(12), London, "commuter@example.com"),

            // London then Changchun 12 hours later: ≈ 8,100 km at under 700 km/h, a long-haul flight.
            Login(T0.AddMinutes(1), London, "flyer@example.com"),
            Login(T0.AddMinutes(1).AddHours(12), Changchun, "flyer@example.com"),

            // The control in the same replay: the databases were read and the detector is on.
            Login(T0.AddMinutes(2), Boxford, "hijacked@example.com"),
            Login(T0.AddMinutes(14), Changchun, "hijacked@example.com"),
        };
        lines.AddRange(Filler(T0, T0.AddHours(13), 2_000));
        lines.Sort(StringComparer.Ordinal); // ts is the first field: sorts by time

        var (code, alerts, _) = Replay(dir!, lines);

        Assert.Equal(0, code);
        var alert = Assert.Single(Rule(alerts, "impossible-travel"));
        Assert.Equal(UserPseudonym(KeyFilePath(), "hijacked@example.com"), alert.GetProperty("subject").GetString());
    }

    [Fact]
    public void Run_GeoIPDirectoryWithoutADatabase_SaysSoOnStderr()
    {
        // A replay asked for GeoIP that runs without it would report every geo-dependent detector as silent.
        var empty = Directory.CreateDirectory(Path.Combine(WorkDirectory, "no-databases")).FullName;
        var (code, _, stderr) = Replay(empty, [Login(T0, Boxford, "a@example.com")]);

        Assert.Equal(0, code);
        Assert.Contains("GeoIP enrichment is off: no database could be loaded.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_InvalidCoreAndGeoIPSettings_ExitsNamingBothSettings()
    {
        // Start-up validation covers every option set registered with ValidateOnStart (GeoIP's too) and reports them together.
        var config = new FileInfo(Path.Combine(WorkDirectory, "appsettings.json"));
        File.WriteAllText(config.FullName, "{\"NumoTelemetry\":{\"Fraud\":{\"CredentialStuffing\":{\"MinFailureRatio\":3}},\"GeoIP\":{\"CacheSize\":3}}}");
        var empty = Directory.CreateDirectory(Path.Combine(WorkDirectory, "no-databases")).FullName;
        using var stderr = new StringWriter();
        var code = ReplayCommand.Run("-", ReplayFormat.Jsonl, new DirectoryInfo(empty), null, config, ReplayCommand.AddGeoIPDirectory, () => Stream.Null, Stream.Null, stderr);

        Assert.Equal(2, code);
        Assert.Contains("NumoTelemetry:Fraud:CredentialStuffing:MinFailureRatio", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("NumoTelemetry:GeoIP:CacheSize", stderr.ToString(), StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void CaptureLine_GeoIPDirectory_EveryDatabaseFactReachesTheRecord(bool viaHttp)
    {
        var dir = NumoTelemetry.Testing.SharedTestData.Find("maxmind");
        Skip.If(dir is null, SkipReason);
        using var runner = new ReplayRunner(null, KeyFilePath(), b => ReplayCommand.AddGeoIPDirectory(b, new DirectoryInfo(dir!)), Stream.Null);

        runner.CaptureLine(Encoding.UTF8.GetBytes(Login(T0, Boxford, "a@example.com")), viaHttp, out var boxford);
        runner.CaptureLine(Encoding.UTF8.GetBytes(Login(T0, "89.160.20.112", "a@example.com")), viaHttp, out var linkoping);
        runner.CaptureLine(Encoding.UTF8.GetBytes(Login(T0, "81.2.69.160", "a@example.com")), viaHttp, out var tor);

        // City database: country, city, location and its accuracy (what impossible travel needs).
        Assert.NotNull(boxford.Geo);
        Assert.Equal("GB", boxford.Geo.CountryIsoCode);
        Assert.Equal("Boxford", boxford.Geo.City);
        Assert.Equal(51.75, boxford.Geo.Latitude);
        Assert.Equal(-1.25, boxford.Geo.Longitude);
        Assert.Equal(100, boxford.Geo.AccuracyRadiusKm);

        // ASN database (the AS of distributed stuffing and of a login's new context).
        Assert.Equal(29518, linkoping.Geo!.Asn);

        // Anonymous-IP database (network risk factors; impossible travel leaves these logins out).
        Assert.True(tor.Geo!.Flags.HasFlag(NumoTelemetry.Records.NetworkFlags.TorExitNode));
        Assert.True(tor.Geo.Flags.HasFlag(NumoTelemetry.Records.NetworkFlags.AnonymousVpn));
    }
}
