using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NumoTelemetry.Cli.Commands;
using NumoTelemetry.Cli.Replay;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Cli.Tests;

/// <summary><c>numo keygen</c> and <c>numo pseudonymize</c>: key files, scheduled rotation, prefix lengths from --config.</summary>
public sealed partial class KeyCommandTests : IDisposable
{
    private static readonly DateTimeOffset Activation = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("numo-keys-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Keygen(string? addTo = null, string? activateAt = null)
    {
        var (code, stdout, stderr) = KeygenRun(addTo, activateAt);
        Assert.True(code == 0, stderr);
        return stdout;
    }

    private static (int Code, string Stdout, string Stderr) KeygenRun(string? addTo = null, string? activateAt = null, string? output = null, bool force = false)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = KeygenCommand.Run(addTo is null ? null : new FileInfo(addTo), activateAt, output is null ? null : new FileInfo(output), force, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>A key file whose key 1 is "+/+/…" in base64 (the characters a JSON writer may escape).</summary>
    private string PlusSlashKeyFile() =>
        Write("plus.json", $$$"""{"currentKeyId":1,"keys":{"1":"{{{Convert.ToBase64String([.. Enumerable.Repeat(new byte[] { 0xFB, 0xFF, 0xBF }, 11).SelectMany(b => b)])}}}"}}""");

    [GeneratedRegex("\"(\\d+)\":\\s*\"([^\"]*)\"")]
    private static partial Regex KeyMember();

    private static (int Code, string[] Lines, string Stderr) Pseudonymize(string? keyFile, string kind, DateTimeOffset at, string? value = null, string? stdin = null, string? config = null)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = PseudonymizeCommand.Run(
            keyFile is null ? null : new FileInfo(keyFile),
            config is null ? null : new FileInfo(config),
            kind,
            at.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            value,
            null,
            new StringReader(stdin ?? string.Empty),
            stdout,
            stderr);
        return (code, stdout.ToString().Split('\n').Select(l => l.TrimEnd('\r')).SkipLast(1).ToArray(), stderr.ToString());
    }

    /// <summary>The site's pseudonymizer: the key file loaded by KeyRing.FromOptions, as AddNumoTelemetry does.</summary>
    private static Pseudonymizer Site(string keyFile, int ipv4 = 24)
    {
        var options = new PseudonymizationOptions { KeyFile = keyFile, IPv4PrefixLength = ipv4 };
        return new Pseudonymizer(KeyRing.FromOptions(options), options);
    }

    [Fact]
    public void Keygen_New_PrintsAKeyFileTheSiteLoads()
    {
        var text = Keygen();
        using var doc = JsonDocument.Parse(text);
        Assert.Equal(1, doc.RootElement.GetProperty("currentKeyId").GetInt32());
        var secret = Convert.FromBase64String(doc.RootElement.GetProperty("keys").GetProperty("1").GetString()!);
        Assert.Equal(KeyRing.MinimumKeyBytes, secret.Length);
        var ring = KeyRing.FromOptions(new PseudonymizationOptions { KeyFile = Write("key.json", text) });
        Assert.Equal([(ushort)1], ring.KeyIds);
        Assert.NotEqual(text, Keygen());
    }

    [Fact]
    public void Keygen_AddToWithActivateAt_KeepsOldKeyAndSchedulesTheNewOne()
    {
        var first = Write("key1.json", Keygen());
        var rotated = Write("key2.json", Keygen(first, "2026-06-01T00:00:00Z"));
        var old = KeyFile.Read(first);
        var file = KeyFile.Read(rotated);
        Assert.Equal(0, file.CurrentKeyId);
        Assert.Equal(old.Keys["1"], file.Keys["1"]);
        Assert.True(file.Keys.ContainsKey("2"));
        Assert.Equal(Activation, file.Activation["2"]);
        var ring = KeyRing.FromOptions(new PseudonymizationOptions { KeyFile = rotated });
        Assert.Equal(1, ring.KeyIdAt(Activation.AddSeconds(-1)));
        Assert.Equal(2, ring.KeyIdAt(Activation));
    }

    [Fact]
    public void Keygen_Stdout_EachSecretPastedAsIsIntoAnEnvironmentVariableStartsTheSite()
    {
        var text = Keygen(PlusSlashKeyFile());
        var keys = KeyRing.FromOptions(new PseudonymizationOptions { KeyFile = Write("printed.json", text) });

        // What a user copies: the text between the quotes, as printed.
        var prefix = $"NUMOTEST{Guid.NewGuid():N}_";
        var pasted = KeyMember().Matches(text.Split("\"keys\"")[1]).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        Assert.Equal(["1", "2"], pasted.Keys.Order());
        Assert.Contains("+/+/", pasted["1"], StringComparison.Ordinal);
        try
        {
            foreach (var (id, secret) in pasted)
            {
                Environment.SetEnvironmentVariable($"{prefix}NumoTelemetry__Pseudonymization__Keys__{id}", secret);
            }

            var configuration = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddNumoTelemetry(configuration.GetSection("NumoTelemetry"));
            using var provider = services.BuildServiceProvider();
            _ = provider.GetRequiredService<IOptions<NumoTelemetryOptions>>().Value; // the site's start-up validation
            var ring = provider.GetRequiredService<KeyRing>();
            Assert.Equal(keys.KeyIds, ring.KeyIds);
            var at = DateTimeOffset.UtcNow;
            using var fromFile = new Pseudonymizer(keys, new PseudonymizationOptions());
            using var fromEnvironment = new Pseudonymizer(ring, new PseudonymizationOptions());
            Assert.Equal(fromFile.Pseudonymize(PseudonymKind.User, "alice", at), fromEnvironment.Pseudonymize(PseudonymKind.User, "alice", at));
        }
        finally
        {
            foreach (var id in pasted.Keys)
            {
                Environment.SetEnvironmentVariable($"{prefix}NumoTelemetry__Pseudonymization__Keys__{id}", null);
            }
        }
    }

    [Fact]
    public void Keygen_Out_CreatesTheFileOwnerOnlyAndPrintsNoSecret()
    {
        var path = Path.Combine(_directory, "numo-keys.json");
        var (code, stdout, stderr) = KeygenRun(output: path);
        Assert.True(code == 0, stderr);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains(path, stderr, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        }

        Assert.Equal([(ushort)1], KeyRing.FromOptions(new PseudonymizationOptions { KeyFile = path }).KeyIds);
        Assert.Equal(["numo-keys.json"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Keygen_OutExisting_RefusedUnlessForce()
    {
        var path = Write("numo-keys.json", Keygen());
        var before = File.ReadAllText(path);
        var (code, _, stderr) = KeygenRun(output: path);
        Assert.Equal(2, code);
        Assert.Contains("--force", stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(path));

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        Assert.Equal(0, KeygenRun(output: path, force: true).Code);
        Assert.NotEqual(before, File.ReadAllText(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        }

        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Keygen_AddToAndOutTheSameFile_RotatesInPlaceOwnerOnly()
    {
        var path = Path.Combine(_directory, "numo-keys.json");
        Assert.Equal(0, KeygenRun(output: path).Code);
        var first = KeyFile.Read(path).Keys["1"];
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        var (code, _, stderr) = KeygenRun(addTo: path, activateAt: "2026-06-01T00:00:00Z", output: path);
        Assert.True(code == 0, stderr);
        var file = KeyFile.Read(path);
        Assert.Equal(first, file.Keys["1"]);
        Assert.Equal(Activation, file.Activation["2"]);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        }

        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Keygen_OutInAMissingDirectory_FailsWithAMessage()
    {
        var (code, _, stderr) = KeygenRun(output: Path.Combine(_directory, "no-such-dir", "numo-keys.json"));
        Assert.Equal(2, code);
        Assert.Contains("--out", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("65535", "65535")]
    [InlineData("70000", "70000")]
    [InlineData("0", "\"0\"")]
    [InlineData("one", "\"one\"")]
    public void Keygen_AddToWithNoFreeOrInvalidKeyId_RefusedWithAClearMessage(string id, string expected)
    {
        var path = Write("keys.json", $$$"""{"currentKeyId":0,"keys":{"1":"{{{KeyRing.GenerateKey()}}}","{{{id}}}":"{{{KeyRing.GenerateKey()}}}"}}""");
        var (code, stdout, stderr) = KeygenRun(addTo: path);
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith("numo keygen: ", stderr, StringComparison.Ordinal);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Contains("65535", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Keygen_AddToWithNonStringKey_FailsNamingTheMember()
    {
        var path = Write("keys.json", """{"currentKeyId":1,"keys":{"1":123}}""");
        var (code, _, stderr) = KeygenRun(addTo: path);
        Assert.Equal(2, code);
        Assert.Contains("keys.1", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Pseudonymize_KeyFileWithNonStringKey_FailsNamingTheSetting()
    {
        var path = Write("keys.json", """{"currentKeyId":1,"keys":{"1":{"secret":"x"}}}""");
        var (code, _, stderr) = Pseudonymize(path, "ip", DateTimeOffset.UtcNow, value: "203.0.113.7");
        Assert.Equal(2, code);
        Assert.Contains("NumoTelemetry:Pseudonymization:KeyFile", stderr, StringComparison.Ordinal);
        Assert.Contains("keys.1", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_KeyFileWithNonStringKey_FailsNamingTheSetting()
    {
        var path = Write("keys.json", """{"currentKeyId":1,"keys":{"1":123}}""");
        using var stderr = new StringWriter();
        var code = ReplayCommand.Run("-", ReplayFormat.Jsonl, null, new FileInfo(path), null, null, () => Stream.Null, Stream.Null, stderr);
        Assert.Equal(2, code);
        Assert.Contains("NumoTelemetry:Pseudonymization:KeyFile", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("keys.1", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Keygen_BadActivateAt_Fails()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(2, KeygenCommand.Run(null, "next tuesday", null, false, stdout, stderr));
        Assert.Contains("--activate-at", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Pseudonymize_ScheduledRotation_MatchesTheSiteBeforeAndAfterActivation()
    {
        var rotated = Write("key2.json", Keygen(Write("key1.json", Keygen()), "2026-06-01T00:00:00Z"));
        using var site = Site(rotated);
        foreach (var at in new[] { Activation.AddDays(-3), Activation.AddDays(3) })
        {
            var expected = site.Pseudonymize(PseudonymKind.Ip, "203.0.113.7", at).ToString();
            var (code, lines, _) = Pseudonymize(rotated, "ip", at, value: "203.0.113.7");
            Assert.Equal(0, code);
            Assert.Equal([expected], lines);
        }

        Assert.StartsWith("k1.", Pseudonymize(rotated, "ip", Activation.AddDays(-3), value: "203.0.113.7").Lines[0], StringComparison.Ordinal);
        Assert.StartsWith("k2.", Pseudonymize(rotated, "ip", Activation.AddDays(3), value: "203.0.113.7").Lines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("user", "  Alice@Example.COM ", PseudonymKind.User)]
    [InlineData("email", "alice@example.com", PseudonymKind.Email)]
    [InlineData("session", "SESSION-1", PseudonymKind.Session)]
    [InlineData("ip-prefix", "198.51.100.23", PseudonymKind.IpPrefix)]
    public void Pseudonymize_Value_PrintsWhatTheSiteMakes(string kind, string value, PseudonymKind pseudonymKind)
    {
        var key = Write("key.json", Keygen());
        using var site = Site(key);
        var at = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        var (code, lines, _) = Pseudonymize(key, kind, at, value: value);
        Assert.Equal(0, code);
        Assert.Equal([site.Pseudonymize(pseudonymKind, value, at).ToString()], lines);
    }

    [Fact]
    public void Pseudonymize_Value_VisitorCookieAsSent()
    {
        var key = Write("key.json", Keygen());
        using var site = Site(key);
        var at = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        const string cookie = "AAFZk1x3c2VjcmV0LXJhbmRvbS1ieXRlcy0tdGFn"; // a visitor cookie value as sent
        Assert.Equal([site.Pseudonymize(PseudonymKind.Visitor, cookie, at).ToString()], Pseudonymize(key, "visitor", at, value: cookie).Lines);
    }

    [Fact]
    public void Pseudonymize_Stdin_OneLinePerInputInOrderWithEmptyForInvalid()
    {
        var key = Write("key.json", Keygen());
        using var site = Site(key);
        var at = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        var (code, lines, stderr) = Pseudonymize(key, "ip", at, stdin: "203.0.113.1\nnot-an-ip\n2001:db8::1\n");
        Assert.Equal(0, code);
        Assert.Equal(3, lines.Length);
        Assert.Equal(site.Pseudonymize(PseudonymKind.Ip, "203.0.113.1", at).ToString(), lines[0]);
        Assert.Equal(string.Empty, lines[1]);
        Assert.Equal(site.Pseudonymize(PseudonymKind.Ip, "2001:db8::1", at).ToString(), lines[2]);
        Assert.Contains("1 value(s)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Pseudonymize_ConfigWithPrefixLength_UsesTheSitesPrefix()
    {
        var key = Write("key.json", Keygen());
        var config = Write("appsettings.json", """{ "NumoTelemetry": { "Pseudonymization": { "IPv4PrefixLength": 16 } } }""");
        using var site16 = Site(key, ipv4: 16);
        using var site24 = Site(key, ipv4: 24);
        var at = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        var withConfig = Pseudonymize(key, "ip-prefix", at, value: "198.51.100.23", config: config).Lines[0];
        Assert.Equal(site16.Pseudonymize(PseudonymKind.IpPrefix, "198.51.200.1", at).ToString(), withConfig);
        Assert.NotEqual(site24.Pseudonymize(PseudonymKind.IpPrefix, "198.51.100.23", at).ToString(), withConfig);
        Assert.NotEqual(Pseudonymize(key, "ip-prefix", at, value: "198.51.100.23").Lines[0], withConfig);
    }

    [Fact]
    public void Pseudonymize_ConfigWithKeyFileRelativeToIt_NeedsNoKeyFileOption()
    {
        var key = Write("key.json", Keygen());
        var config = Write("appsettings.json", """{ "NumoTelemetry": { "Pseudonymization": { "KeyFile": "key.json" } } }""");
        using var site = Site(key);
        var at = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        Assert.Equal([site.Pseudonymize(PseudonymKind.Ip, "203.0.113.7", at).ToString()], Pseudonymize(null, "ip", at, value: "203.0.113.7", config: config).Lines);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{\"NumoTelemetry\":{\"Pseudonymization\":{\"CurrentKeyId\":\"abc\"}}}")]
    public void Pseudonymize_ConfigThatCannotBeLoaded_FailsWithAMessage(string json)
    {
        var key = Write("key.json", Keygen());
        var config = Write("appsettings.json", json);
        var (code, _, stderr) = Pseudonymize(key, "ip", DateTimeOffset.UtcNow, value: "203.0.113.7", config: config);
        Assert.Equal(2, code);
        Assert.StartsWith("numo pseudonymize: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Pseudonymize_NoKey_FailsNamingTheSetting()
    {
        var (code, _, stderr) = Pseudonymize(null, "ip", DateTimeOffset.UtcNow, value: "203.0.113.7");
        Assert.Equal(2, code);
        Assert.Contains("KeyFile", stderr, StringComparison.Ordinal);
    }
}
