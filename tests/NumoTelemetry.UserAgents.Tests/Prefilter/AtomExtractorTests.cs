using NumoTelemetry.UserAgents.Prefilter;

namespace NumoTelemetry.UserAgents.Tests.Prefilter;

public sealed class AtomExtractorTests
{
    [Theory]
    [InlineData(@"(Chrome)/(\d+)\.(\d+)", false, "chrome/")]
    [InlineData(@"Chrome(?:Mobile)?/", false, "chrome/|chromemobile/")]
    [InlineData(@"(Firefox|Iceweasel)/(\d+)", false, "firefox/|iceweasel/")]
    [InlineData(@"[Ss]amsung[Bb]rowser", false, "samsungbrowser")]
    [InlineData(@"GENERIC feature", true, "generic feature")]
    [InlineData(@"\bNokia\d+", false, "nokia")]
    [InlineData(@"Build/HCL ME Tablet", false, "build/hcl me tablet")]
    public void Extract_SimplePattern_RequiresLiterals(string pattern, bool ignoreCase, string expectedClause)
    {
        var clauses = AtomExtractor.Extract(pattern, ignoreCase);

        Assert.Contains(clauses, c => string.Join('|', c) == expectedClause);
    }

    [Theory]
    [InlineData(@".*")]
    [InlineData(@"(\d+)\.(\d+)")]
    [InlineData(@"(?i)weird inline option")]
    [InlineData(@"a|c")]
    [InlineData(@"(?:Foo)?b")]
    [InlineData(@"[^x]{3}")]
    public void Extract_NoSafeLiteral_AlwaysRuns(string pattern)
    {
        Assert.Empty(AtomExtractor.Extract(pattern, ignoreCase: false));
    }

    [Fact]
    public void Extract_ConcatenationOfAlternatives_RequiresEachPart()
    {
        var clauses = AtomExtractor.Extract(@"(Opera|OPR)/(\d+).{0,50}(Mobile|Mobi)", ignoreCase: false);

        Assert.Contains(clauses, c => c.Contains("opera/") && c.Contains("opr/"));
        Assert.Contains(clauses, c => c.Contains("mobi"));
    }

    [Fact]
    public void Scan_FoldedText_FindsAtomsCaseInsensitively()
    {
        var automaton = new AhoCorasickAutomaton(["chrome/", "gecko", "\u006b"]);
        var found = new ulong[1];

        automaton.Scan("Mozilla GECKO CHROME/1 \u212a", found);

        Assert.Equal(0b111UL, found[0]);
    }
}
