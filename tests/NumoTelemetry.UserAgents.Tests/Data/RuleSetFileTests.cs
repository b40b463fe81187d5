using NumoTelemetry.UserAgents.Bots;
using NumoTelemetry.UserAgents.Data;
using NumoTelemetry.UserAgents.Prefilter;

namespace NumoTelemetry.UserAgents.Tests.Data;

/// <summary>
/// The rule set embedded at build time (tools/NumoTelemetry.UserAgents.DataGen) must equal what the run-time
/// path derives from the embedded regexes.yaml and crawler list: same rules, same order, same atoms.
/// </summary>
public sealed class RuleSetFileTests
{
    [Fact]
    public void EmbeddedRuleSet_EqualsRunTimeDerivation()
    {
        List<RuleDefinition> expected;
        using (var reader = new StreamReader(EmbeddedData.Open(EmbeddedData.RegexesResource)))
        {
            expected = RegexesYamlReader.Read(reader);
        }

        expected.AddRange(BuiltInBotRules.Definitions());
        expected.AddRange(CrawlerListReader.Read(EmbeddedData.ReadAllBytes(EmbeddedData.CrawlerListResource)));

        var (rules, clauses, branches) = UserAgentParser.LoadRules(path: null);

        Assert.Equal(expected.Count, rules.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(Describe(expected[i]), Describe(rules[i]));
            Assert.Equal(Describe(AtomExtractor.Extract(expected[i].Pattern, expected[i].IgnoreCase)), Describe(clauses[i]));
            Assert.Equal(Describe(RuleBranch.Derive(expected[i])), Describe(branches[i]));
        }

        Assert.Contains(branches, b => b is not null);
    }

    [Fact]
    public void WriteThenRead_RoundTripsRulesAndClauses()
    {
        var rules = new List<RuleDefinition>
        {
            new(RuleSection.UserAgent, @"(Numo)/(\d+)", ignoreCase: false, ["Numo $1", null, "x", null, null]),
            new(RuleSection.Device, "numo", ignoreCase: true, [null, "Brand", null]),
            new(RuleSection.Bot, "^curl/", ignoreCase: false, [], new BotInfo(BotKind.HttpLibrary, "curl")),
        };
        var clauses = new List<List<string[]>> { new() { new[] { "numo/" } }, new() { new[] { "numo" }, new[] { "a", "b" } }, new() };
        using var stream = new MemoryStream();

        var branches = new List<RuleBranch[]?> { null, new RuleBranch[] { new RuleBranch("(?:numo)x", [new[] { "numo" }]), new RuleBranch("(?:nomu)x", [new[] { "nomu" }, new[] { "x" }]) }, null };

        RuleSetFile.Write(stream, rules, clauses, branches);
        stream.Position = 0;
        var (read, readClauses, readBranches) = RuleSetFile.Read(stream);

        Assert.Equal(rules.ConvertAll(Describe), read.ConvertAll(Describe));
        Assert.Equal(clauses.ConvertAll(Describe), readClauses.ConvertAll(Describe));
        Assert.Equal(branches.ConvertAll(Describe), readBranches.ConvertAll(Describe));
    }

    [Fact]
    public void Read_OtherData_ThrowsInvalidData()
    {
        using var stream = new MemoryStream(new byte[16]);

        Assert.Throws<InvalidDataException>(() => RuleSetFile.Read(stream));
    }

    private static string Describe(RuleDefinition rule) =>
        $"{rule.Section} {rule.IgnoreCase} {rule.Pattern} [{string.Join("|", rule.Replacements.Select(r => r ?? "<null>"))}] {rule.Bot}";

    private static string Describe(RuleBranch[]? branches) =>
        branches is null ? "<whole>" : string.Join(" || ", branches.Select(b => b.Pattern + " if " + Describe(b.Clauses)));

    private static string Describe(List<string[]> clauses) => string.Join(" & ", clauses.Select(c => "(" + string.Join("|", c) + ")"));
}
