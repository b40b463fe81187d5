using System.Text.RegularExpressions;
using NumoTelemetry.UserAgents.Prefilter;

namespace NumoTelemetry.UserAgents.Tests.Prefilter;

public sealed class AlternationSplitterTests
{
    [Fact]
    public void Split_GroupAlternation_KeepsPrefixAndSuffixPerBranch()
    {
        var branches = AlternationSplitter.Split(@"^.{0,10}(a|b[|)]|c\)|d|e|f|g|(h|i))(?:/(\d+)|)")!;

        Assert.Equal(
            [@"^.{0,10}(?:a)(?:/(\d+)|)", @"^.{0,10}(?:b[|)])(?:/(\d+)|)", @"^.{0,10}(?:c\))(?:/(\d+)|)", @"^.{0,10}(?:d)(?:/(\d+)|)",
             @"^.{0,10}(?:e)(?:/(\d+)|)", @"^.{0,10}(?:f)(?:/(\d+)|)", @"^.{0,10}(?:g)(?:/(\d+)|)", @"^.{0,10}(?:(h|i))(?:/(\d+)|)"],
            branches);
    }

    [Theory]
    [InlineData("(a|b|c)")] // too few branches
    [InlineData("(a|b|c|d|e|f|g|h)+")] // quantified group
    [InlineData(@"(a|b|c|d|e|f|g|h)\1")] // backreference
    [InlineData("(?=a|b|c|d|e|f|g|h)x")] // lookahead
    public void Split_NotASplittableAlternation_ReturnsNull(string pattern)
    {
        Assert.Null(AlternationSplitter.Split(pattern));
    }

    [Theory]
    [InlineData("(Alpha|Beta|Gamma|Delta|Eps|Zeta|Eta|Theta)(?:/(\\d+)|)", "x Theta/3 Beta y")]
    [InlineData("^.{0,20}(bot|spider|crawl|slurp|yeti|zao|nutch|archiver)", "Mozilla compatible; Yeti/1.0 bot")]
    [InlineData("Foo|Bar|Baz|Qux|Quux|Corge|Grault|Garply", "a Garply b Bar c")]
    public void Split_LeftmostStartOfBranches_EqualsWholeRegex(string pattern, string text)
    {
        var options = RegexOptions.ECMAScript | RegexOptions.CultureInvariant | RegexOptions.IgnoreCase;
        var whole = Regex.Match(text, pattern, options);
        var best = -1;
        foreach (var branch in AlternationSplitter.Split(pattern)!)
        {
            var m = Regex.Match(text, branch, options);
            if (m.Success && (best < 0 || m.Index < best))
            {
                best = m.Index;
            }
        }

        Assert.True(whole.Success);
        Assert.Equal(whole.Index, best);
    }
}
