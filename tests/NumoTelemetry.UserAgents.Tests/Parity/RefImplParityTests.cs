using System.Text;
using System.Text.Json;

namespace NumoTelemetry.UserAgents.Tests.Parity;

/// <summary>
/// Parity beyond uap-core's test files: real User-Agents from npm packages (top-user-agents and every
/// instance of crawler-user-agents) parsed by this engine and by uap-ref-impl (node) on the same
/// uap-core 0.18.0 regexes.yaml must agree field by field. Needs node; installs benchmarks/ua-compare's
/// pinned packages with <c>npm ci</c> when they are missing; skips, saying why, when that is impossible. Run
/// for the embedded v0.18.0 rules and for the shared head's regexes.yaml (loaded on both sides).
/// </summary>
public sealed class RefImplParityTests
{
    [SkippableTheory]
    [InlineData("v0.18.0")]
    [InlineData("head")]
    public void Parse_RealWorldCorpus_EqualsUapRefImpl(string version)
    {
        // v0.18.0: the embedded rules against the npm uap-core 0.18.0 file; head: the shared head file on both sides.
        var regexesPath = version == "head" ? SharedTestData.Require(Path.Combine("head", "regexes.yaml")) : null;
        var folder = NodeTool.CompareFolder();
        Skip.If(folder is null, "Skipped: benchmarks/ua-compare was not found above the test assembly.");
        var node = NodeTool.Run("node", "--version", folder!);
        Skip.If(node is null || node.Value.ExitCode != 0, "Skipped: node is not installed (the parity test runs uap-ref-impl under node).");
        if (!Directory.Exists(Path.Combine(folder!, "node_modules", "uap-ref-impl")))
        {
            var install = NodeTool.Run("npm", "ci --no-audit --no-fund", folder!);
            Skip.If(install is null || install.Value.ExitCode != 0, $"Skipped: npm ci in {folder} failed: {install?.Error}");
        }

        var corpus = NodeTool.Run("node", "parity.js --corpus", folder!);
        Assert.True(corpus is { ExitCode: 0 }, corpus?.Error);
        var uas = corpus!.Value.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(uas.Length > 500, $"only {uas.Length} User-Agents in the corpus");

        var reference = NodeTool.Run("node", regexesPath is null ? "parity.js" : $"parity.js --regexes \"{regexesPath}\"", folder!, string.Join('\n', uas) + "\n");
        Assert.True(reference is { ExitCode: 0 }, reference?.Error);
        var parser = new UserAgentParser(new UserAgentParserOptions { RegexesPath = regexesPath, MaxLength = 0, MatchTimeout = System.Text.RegularExpressions.Regex.InfiniteMatchTimeout });
        var mismatches = new StringBuilder();
        var count = 0;
        var failed = 0;
        foreach (var line in reference!.Value.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var ua = root.GetProperty("ua").GetString()!;
            var info = parser.Parse(ua);
            count++;
            var diff = Compare(root.GetProperty("browser"), info.Browser, "family", "major", "minor", "patch")
                ?? Compare(root.GetProperty("os"), info.Os, "family", "major", "minor", "patch", "patchMinor")
                ?? CompareDevice(root.GetProperty("device"), info.Device);
            if (diff is not null)
            {
                failed++;
                mismatches.Append("  ").AppendLine(ua).Append("    ").AppendLine(diff);
            }
        }

        Assert.Equal(uas.Length, count);
        Assert.True(failed == 0, $"{failed} of {count} User-Agents differ from uap-ref-impl:{Environment.NewLine}{mismatches}");
    }

    private static string? Compare(JsonElement expected, VersionedFamily actual, params string[] fields)
    {
        foreach (var field in fields)
        {
            var got = field switch
            {
                "family" => actual.Family,
                "major" => actual.Major,
                "minor" => actual.Minor,
                "patch" => actual.Patch,
                _ => actual.PatchMinor,
            };
            var want = Value(expected, field);
            if (!string.Equals(want, got, StringComparison.Ordinal))
            {
                return $"{field}: uap-ref-impl {want ?? "null"}, ours {got ?? "null"}";
            }
        }

        return null;
    }

    private static string? CompareDevice(JsonElement expected, DeviceInfo actual)
    {
        foreach (var (field, got) in new[] { ("family", actual.Family), ("brand", actual.Brand), ("model", actual.Model) })
        {
            var want = Value(expected, field);
            if (!string.Equals(want, got, StringComparison.Ordinal))
            {
                return $"device.{field}: uap-ref-impl {want ?? "null"}, ours {got ?? "null"}";
            }
        }

        return null;
    }

    private static string? Value(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
