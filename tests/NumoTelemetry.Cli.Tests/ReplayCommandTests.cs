using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NumoTelemetry.Cli.Commands;
using NumoTelemetry.Cli.Replay;

namespace NumoTelemetry.Cli.Tests;

public sealed class ReplayCommandTests() : ReplayTestFiles("numo-replay-")
{
    private static string Line(DateTimeOffset at, string ip, string method, string path, int status, string ua, params (string Name, string Value)[] extra)
    {
        var json = new StringBuilder();
        json.Append(CultureInfo.InvariantCulture, $"{{\"ts\":\"{at.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}\",\"ip\":\"{ip}\",\"method\":\"{method}\",\"path\":\"{path}\",\"status\":{status},\"ua\":{JsonSerializer.Serialize(ua)}");
        foreach (var (name, value) in extra)
        {
            json.Append(CultureInfo.InvariantCulture, $",\"{name}\":{JsonSerializer.Serialize(value)}");
        }

        return json.Append('}').ToString();
    }

    /// <summary>Credential stuffing with a takeover, distributed stuffing over a /24, a hijacked session, an account farm, and benign users.</summary>
    private static List<string> AttackLog()
    {
        var lines = new List<string>();
        for (var u = 0; u < 50; u++)
        {
            for (var p = 0; p < 10; p++)
            {
                lines.Add(Line(T0.AddSeconds((u * 13) + (p * 20)), $"81.2.{u}.9", "GET", $"/p/{p}", 200, Chrome, ("cookie", $"numo_vid=visitor{u}; theme=dark"), ("session", $"benign-session-{u}")));
            }
        }

        for (var i = 0; i < 60; i++)
        {
            var success = i == 40;
            lines.Add(Line(T0.AddMinutes(10).AddSeconds(i * 4), "185.220.1.20", "POST", "/login", success ? 302 : 200, Chrome, ("event", success ? "login_succeeded" : "login_failed"), ("user", success ? "  Canary.Victim40@Example.COM " : $"canary.victim{i}@example.com")));
        }

        for (var i = 1; i <= 20; i++)
        {
            for (var k = 0; k < 3; k++)
            {
                lines.Add(Line(T0.AddMinutes(20).AddSeconds((i * 7) + k), $"193.32.162.{i}", "POST", "/login", 200, Chrome, ("event", "login_failed"), ("user", $"dist{(i * 3) + k}")));
            }
        }

        lines.Add(Line(T0.AddMinutes(30), "81.2.200.1", "GET", "/account", 200, Chrome, ("session", "canary-session-id")));
        lines.Add(Line(T0.AddMinutes(31), "95.24.1.2", "GET", "/account/payout", 200, "python-requests/2.31", ("session", "canary-session-id")));
        for (var i = 0; i < 8; i++)
        {
            lines.Add(Line(T0.AddMinutes(40 + i), "102.1.1.1", "POST", "/signup", 302, Chrome, ("cookie", "numo_vid=canary-farm-device"), ("event", "signup"), ("user", $"farm{i}")));
        }

        lines.Sort(StringComparer.Ordinal); // ts is the first field: sorts by time
        return lines;
    }

    private (int Code, string[] Alerts, string Stderr) Replay(IEnumerable<string> lines, ReplayFormat format = ReplayFormat.Jsonl, bool key = true, FileInfo? config = null, bool viaStdin = false)
    {
        var input = Path.Combine(WorkDirectory, $"input-{Guid.NewGuid():N}.log");
        File.WriteAllLines(input, lines);
        using var stdout = new MemoryStream();
        using var stderr = new StringWriter();
        var code = ReplayCommand.Run(
            viaStdin ? "-" : input,
            format,
            null,
            key ? new FileInfo(KeyFilePath()) : null,
            config,
            null,
            () => File.OpenRead(input),
            stdout,
            stderr);
        var text = Encoding.UTF8.GetString(stdout.ToArray());
        return (code, text.Split('\n', StringSplitOptions.RemoveEmptyEntries), stderr.ToString());
    }

    private static string[] Pseudonymize(string keyFile, string kind, DateTimeOffset at, params string[] values)
    {
        var numo = typeof(ReplayCommand).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { numo, "pseudonymize", "--key-file", keyFile, "--kind", kind, "--at", at.ToString("O", CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        foreach (var value in values)
        {
            process.StandardInput.WriteLine(value);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static List<JsonElement> Parse(string[] alerts) => [.. alerts.Select(a => JsonDocument.Parse(a).RootElement.Clone())];

    [Fact]
    public void Run_AttackLog_AlertSubjectsEqualWhatNumoPseudonymizePrints()
    {
        var (code, lines, stderr) = Replay(AttackLog());
        Assert.Equal(0, code);
        var alerts = Parse(lines);
        string Subject(string rule, string kind) => alerts.First(a => a.GetProperty("rule").GetString() == rule && a.GetProperty("subjectKind").GetString() == kind).GetProperty("subject").GetString()!;

        var key = KeyFilePath();
        Assert.Equal(Pseudonymize(key, "ip", T0, "185.220.1.20")[0], Subject("credential-stuffing", "ip"));
        Assert.Equal(Pseudonymize(key, "user", T0, "canary.victim40@example.com")[0], Subject("ato-after-stuffing", "user"));
        Assert.Equal(Pseudonymize(key, "ip-prefix", T0, "193.32.162.77")[0], Subject("distributed-stuffing", "ip-prefix"));
        Assert.Equal(Pseudonymize(key, "session", T0, "canary-session-id")[0], Subject("session-hijack", "session"));
        Assert.Equal(Pseudonymize(key, "visitor", T0, "canary-farm-device")[0], Subject("accounts-per-device", "visitor"));
        Assert.Contains("replayed", stderr, StringComparison.Ordinal);
        Assert.Contains("lines/s", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_AttackLog_NoRawValueInOutput()
    {
        var (_, lines, stderr) = Replay(AttackLog());
        var all = string.Join('\n', lines) + stderr;
        Assert.NotEmpty(lines);
        foreach (var canary in new[] { "canary", "185.220.1.20", "193.32.162", "95.24.1.2", "102.1.1.1", "farm0", "Example.COM" })
        {
            Assert.DoesNotContain(canary, all, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Run_SameInputTwice_SameAlerts()
    {
        var first = Replay(AttackLog());
        var second = Replay(AttackLog());
        Assert.Equal(first.Alerts, second.Alerts);
        Assert.All(Parse(first.Alerts), a => Assert.Matches("^(alert|page)$", a.GetProperty("severity").GetString()!));
    }

    [Fact]
    public void Run_Stdin_ReadsTheSameAsAFile()
    {
        Assert.Equal(Replay(AttackLog()).Alerts, Replay(AttackLog(), viaStdin: true).Alerts);
    }

    [Fact]
    public void Run_CombinedLogWithScanner_AlertsOnTheScanner()
    {
        var lines = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            var at = T0.AddSeconds(i * 2).ToOffset(TimeSpan.FromHours(2));
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"45.155.205.1 - - [{at:dd/MMM/yyyy:HH:mm:ss} +0200] \"GET /wp-admin/probe{i}.php HTTP/1.1\" 404 153 \"-\" \"Mozilla/5.0 zgrab/0.x\""));
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"81.2.3.4 - alice [{at:dd/MMM/yyyy:HH:mm:ss} +0200] \"GET /p/{i % 5}?q=1 HTTP/2.0\" 200 5120 \"https://www.example.org/\" \"{Chrome}\""));
        }

        var (code, alerts, stderr) = Replay(lines, ReplayFormat.Combined);
        Assert.Equal(0, code);
        var alert = Assert.Single(Parse(alerts));
        Assert.Equal("scanner", alert.GetProperty("rule").GetString());
        Assert.Equal(Pseudonymize(KeyFilePath(), "ip", T0, "45.155.205.1")[0], alert.GetProperty("subject").GetString());
        Assert.Contains("120 replayed", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MalformedLines_AreSkippedCountedAndTheRestReplayed()
    {
        List<string> lines =
        [
            "not json",
            "{\"ts\":\"2026-03-02T06:00:00Z\",\"ip\":\"81.2.3.4\",\"method\":\"GET\",\"path\":\"/\",\"status\":200}",
            "{\"ts\":\"yesterday-ish\",\"ip\":\"81.2.3.4\",\"method\":\"GET\",\"path\":\"/\",\"status\":200,\"ua\":\"x\"}",
            "{\"ts\":\"2026-03-02T06:00:00Z\",\"ip\":\"999.1.1.1\",\"method\":\"GET\",\"path\":\"/\",\"status\":200,\"ua\":\"x\"}",
            string.Empty,
            Line(T0, "81.2.3.4", "GET", "/ok", 200, Chrome),
        ];
        var (code, alerts, stderr) = Replay(lines);
        Assert.Equal(0, code);
        Assert.Empty(alerts);
        Assert.Contains("6 lines (1 replayed, 5 skipped", stderr, StringComparison.Ordinal);
        Assert.Contains("missing_ua 1", stderr, StringComparison.Ordinal);
        Assert.Contains("bad_ip 1", stderr, StringComparison.Ordinal);
        Assert.Contains("bad_json 1", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_NoKey_WarnsThatSubjectsWillNotMatch()
    {
        var (code, _, stderr) = Replay([Line(T0, "81.2.3.4", "GET", "/", 200, Chrome)], key: false);
        Assert.Equal(0, code);
        Assert.Contains("throw-away key", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_InvalidConfig_ExitsWithTheSettingToFix()
    {
        var config = new FileInfo(Path.Combine(WorkDirectory, "appsettings.json"));
        File.WriteAllText(config.FullName, "{\"NumoTelemetry\":{\"Fraud\":{\"CredentialStuffing\":{\"MinFailureRatio\":3}}}}");
        var (code, _, stderr) = Replay([Line(T0, "81.2.3.4", "GET", "/", 200, Chrome)], config: config);
        Assert.Equal(2, code);
        Assert.Contains("NumoTelemetry:Fraud:CredentialStuffing:MinFailureRatio", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ConfigThresholds_AreUsed()
    {
        var config = new FileInfo(Path.Combine(WorkDirectory, "strict.json"));
        File.WriteAllText(config.FullName, "{\"NumoTelemetry\":{\"Fraud\":{\"Scanner\":{\"Enabled\":false}}}}");
        var lines = Enumerable.Range(0, 60).Select(i => Line(T0.AddSeconds(i), "45.155.205.1", "GET", $"/wp-admin/{i}", 404, "zgrab")).ToList();
        Assert.Single(Replay(lines).Alerts);
        Assert.Empty(Replay(lines, config: config).Alerts);
    }

    [Fact]
    public void Run_GeoIPDirWithoutGeoIPSupport_ExitsWithAClearMessage()
    {
        using var stderr = new StringWriter();
        var code = ReplayCommand.Run("-", ReplayFormat.Jsonl, new DirectoryInfo(WorkDirectory), null, null, null, () => Stream.Null, Stream.Null, stderr);
        Assert.Equal(2, code);
        Assert.Contains("--geoip-dir", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void CombinedLineParser_TimeWithZone_IsUtcCorrect()
    {
        Assert.True(CombinedLineParser.TryParseTime("10/Oct/2000:13:55:36 -0700", out var at));
        Assert.Equal(new DateTimeOffset(2000, 10, 10, 20, 55, 36, TimeSpan.Zero), at.ToUniversalTime());
    }
}
