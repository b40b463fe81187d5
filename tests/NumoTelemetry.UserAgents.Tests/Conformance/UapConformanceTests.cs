using System.Text.RegularExpressions;
using System.Text;

namespace NumoTelemetry.UserAgents.Tests.Conformance;

/// <summary>
/// Runs every case of uap-core's test files against the engine: v0.18.0 with the embedded rules and the
/// shared head with its own regexes.yaml loaded through <see cref="UserAgentParserOptions.RegexesPath"/>.
/// Each file is one test that lists every mismatch by case.
/// </summary>
public sealed class UapConformanceTests
{
    private static readonly Dictionary<string, UserAgentParser> Parsers = new(StringComparer.Ordinal);

    /// <summary>
    /// The three core test files and whatever <c>test_resources/*.yaml</c> each version ships (listed from
    /// the folder, so a new file in a newer uap-core is run too). Without the shared data, the core files
    /// are still listed, so that each test reports itself skipped.
    /// </summary>
    public static TheoryData<string, string> Files()
    {
        var data = new TheoryData<string, string>();
        foreach (var version in Versions)
        {
            foreach (var file in new[] { "tests/test_ua.yaml", "tests/test_os.yaml", "tests/test_device.yaml" })
            {
                data.Add(version, file);
            }

            foreach (var file in ResourceFiles(version))
            {
                data.Add(version, file);
            }
        }

        return data;
    }

    internal static readonly string[] Versions = ["v0.18.0", "head"];

    /// <summary>The <c>test_resources/*.yaml</c> of <paramref name="version"/>, relative and sorted; none without the shared data.</summary>
    internal static IEnumerable<string> ResourceFiles(string version)
    {
        var folder = SharedTestData.UapCore is { } root ? Path.Combine(root, version, "test_resources") : null;
        if (folder is null || !Directory.Exists(folder))
        {
            return [];
        }

        var files = Directory.GetFiles(folder, "*.yaml");
        Array.Sort(files, StringComparer.Ordinal);
        return Array.ConvertAll(files, f => "test_resources/" + Path.GetFileName(f));
    }

    [SkippableTheory]
    [MemberData(nameof(Files))]
    public void Parse_UapCoreTestFile_MatchesEveryCase(string version, string file)
    {
        var path = SharedTestData.Require(Path.Combine(version, file));
        var parser = ParserFor(version);
        var cases = UapTestFile.Read(path);
        Assert.NotEmpty(cases);
        var failures = new StringBuilder();
        var failed = 0;
        foreach (var testCase in cases)
        {
            var info = parser.Parse(testCase.UserAgent);
            var actual = Actual(info, file);
            foreach (var (field, expected) in testCase.Expected)
            {
                if (!actual.ContainsKey(field) && field == "patch_minor")
                {
                    continue; // uap-core checks family, major, minor and patch of user agents only
                }

                var got = actual.TryGetValue(field, out var value) ? value : "<unknown field>";
                // The reference implementation turns empty strings into null ("x || null"), and some
                // files spell an absent patch_minor as ''; compare those as equal.
                if (!string.Equals(NullIfEmpty(expected), got, StringComparison.Ordinal))
                {
                    failed++;
                    failures.Append("  line ").Append(testCase.Line).Append(": ").Append(testCase.UserAgent).AppendLine()
                        .Append("    ").Append(field).Append(": expected ").Append(Show(expected)).Append(", got ").Append(Show(got)).AppendLine();
                    break;
                }
            }
        }

        Assert.True(failed == 0, $"{version}/{file}: {failed} of {cases.Count} cases failed:{Environment.NewLine}{failures}");
    }

    internal static UserAgentParser ParserFor(string version)
    {
        lock (Parsers)
        {
            if (!Parsers.TryGetValue(version, out var parser))
            {
                // No length cap (some test UAs are long) and no timeout: the wall-clock backstop must not
                // turn a loaded test machine into false failures; timeouts are tested on their own.
                var options = new UserAgentParserOptions { MaxLength = 0, MatchTimeout = Regex.InfiniteMatchTimeout };
                if (version != "v0.18.0")
                {
                    options.RegexesPath = SharedTestData.Require(Path.Combine(version, "regexes.yaml"));
                }

                parser = new UserAgentParser(options);
                Parsers.Add(version, parser);
            }

            return parser;
        }
    }

    private static Dictionary<string, string?> Actual(UserAgentInfo info, string file)
    {
        if (file.Contains("device", StringComparison.Ordinal))
        {
            return new(StringComparer.Ordinal) { ["family"] = info.Device.Family, ["brand"] = info.Device.Brand, ["model"] = info.Device.Model };
        }

        if (file.Contains("_os", StringComparison.Ordinal))
        {
            return new(StringComparer.Ordinal) { ["family"] = info.Os.Family, ["major"] = info.Os.Major, ["minor"] = info.Os.Minor, ["patch"] = info.Os.Patch, ["patch_minor"] = info.Os.PatchMinor };
        }

        return new(StringComparer.Ordinal) { ["family"] = info.Browser.Family, ["major"] = info.Browser.Major, ["minor"] = info.Browser.Minor, ["patch"] = info.Browser.Patch };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string Show(string? value) => value is null ? "null" : $"'{value}'";
}
