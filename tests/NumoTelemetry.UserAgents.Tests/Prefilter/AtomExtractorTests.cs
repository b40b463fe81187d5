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

    [Theory]
    [InlineData(300)]
    [InlineData(12000)]
    public void Scan_SmallAndLargeAutomata_FindExactlyTheAtomsPresent(int atomCount)
    {
        // 12,000 random atoms of 6 to 12 letters need about 80,000 states: the 32-bit table; 300 fit the 16-bit one.
        var random = new Random(atomCount);
        var atoms = new HashSet<string>(StringComparer.Ordinal);
        while (atoms.Count < atomCount)
        {
            var chars = new char[random.Next(6, 13)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = (char)('a' + random.Next(26));
            }

            atoms.Add(new string(chars));
        }

        var list = atoms.ToList();
        var automaton = new AhoCorasickAutomaton(list);
        Assert.Equal(atomCount < 1000, automaton.HasNarrowTable);
        for (var trial = 0; trial < 50; trial++)
        {
            var text = $"Mozilla/5.0 ({list[random.Next(list.Count)].ToUpperInvariant()}; x) {list[random.Next(list.Count)]}/1.0 {list[^1][..4]}";
            var found = new ulong[(list.Count + 63) >> 6];
            automaton.Scan(text, found);
            for (var a = 0; a < list.Count; a++)
            {
                var expected = text.Contains(list[a], StringComparison.OrdinalIgnoreCase);
                Assert.True(expected == ((found[a >> 6] & (1UL << a)) != 0), $"atom {list[a]} in {text}: expected {expected}");
            }
        }
    }
}
