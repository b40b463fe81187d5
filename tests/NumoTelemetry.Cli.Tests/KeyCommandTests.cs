using System.Text.Json;
using NumoTelemetry.Cli.Commands;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Cli.Tests;

/// <summary><c>numo keygen</c> and <c>numo pseudonymize</c>: key files, scheduled rotation, prefix lengths from --config.</summary>
public sealed class KeyCommandTests : IDisposable
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
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(0, KeygenCommand.Run(addTo is null ? null : new FileInfo(addTo), activateAt, stdout, stderr));
        return stdout.ToString();
    }

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
    public void Keygen_BadActivateAt_Fails()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(2, KeygenCommand.Run(null, "next tuesday", stdout, stderr));
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

    [Fact]
    public void Pseudonymize_NoKey_FailsNamingTheSetting()
    {
        var (code, _, stderr) = Pseudonymize(null, "ip", DateTimeOffset.UtcNow, value: "203.0.113.7");
        Assert.Equal(2, code);
        Assert.Contains("KeyFile", stderr, StringComparison.Ordinal);
    }
}
