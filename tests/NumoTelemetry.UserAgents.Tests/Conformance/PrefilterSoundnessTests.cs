namespace NumoTelemetry.UserAgents.Tests.Conformance;

/// <summary>
/// The prefilter must never hide a rule that would match: parsing with it gives exactly what a
/// sequential scan of every rule gives.
/// </summary>
public sealed class PrefilterSoundnessTests
{
    [SkippableTheory]
    [InlineData("v0.18.0", "tests/test_ua.yaml", 1)]
    [InlineData("v0.18.0", "tests/test_os.yaml", 1)]
    [InlineData("v0.18.0", "tests/test_device.yaml", 8)]
    [InlineData("v0.18.0", "test_resources/pgts_browser_list.yaml", 8)]
    [InlineData("head", "tests/test_ua.yaml", 1)]
    [InlineData("head", "tests/test_os.yaml", 1)]
    [InlineData("head", "tests/test_device.yaml", 8)]
    public void Parse_WithPrefilter_EqualsSequentialScan(string version, string file, int stride)
    {
        var path = SharedTestData.Require(Path.Combine(version, file));
        var cases = UapTestFile.Read(path);
        var options = new UserAgentParserOptions { CacheSize = 0, MaxLength = 0, MatchTimeout = System.Text.RegularExpressions.Regex.InfiniteMatchTimeout };
        if (version != "v0.18.0")
        {
            // Atoms derived at run time from the file, not the build-time set of the embedded rules.
            options.RegexesPath = SharedTestData.Require(Path.Combine(version, "regexes.yaml"));
        }

        var filtered = new UserAgentParser(options, hotThreshold: 4, usePrefilter: true);
        var sequential = new UserAgentParser(options, hotThreshold: 4, usePrefilter: false);
        var mismatches = new List<string>();
        for (var i = 0; i < cases.Count; i += stride)
        {
            var ua = cases[i].UserAgent;
            var a = Describe(filtered.Parse(ua));
            var b = Describe(sequential.Parse(ua));
            if (a != b)
            {
                mismatches.Add($"{ua}{Environment.NewLine}    prefilter:  {a}{Environment.NewLine}    sequential: {b}");
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} differences:{Environment.NewLine}{string.Join(Environment.NewLine, mismatches)}");
    }

    internal static string Describe(UserAgentInfo info) =>
        $"{info.Browser} | {info.Os} | {info.Device} | {info.Bot.Kind}:{info.Bot.Name} | {info.DeviceType}";
}
