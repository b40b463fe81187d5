using System.Text.RegularExpressions;
using NumoTelemetry.UserAgents.Engine;
using NumoTelemetry.UserAgents.Prefilter;

namespace NumoTelemetry.UserAgents.Tests.Engine;

/// <summary>
/// The regex engine warm-up runs on the thread pool with the configured match timeout; a timeout there (a loaded
/// machine, a tiny timeout) must not escape, since an unhandled exception on a pool thread ends the process.
/// The parser's own warm-up runs inside its constructor, so the first requests find the parse path and the
/// regexes everyday User-Agents reach already built.
/// </summary>
public sealed class WarmUpTests
{
    [Fact]
    public void Constructor_WarmsUpBeforeReturning_TypicalUserAgentsBuildNoFurtherRegexes()
    {
        var parser = new UserAgentParser(new UserAgentParserOptions { CacheSize = 0 });
        var built = parser.Engine.BuiltRegexCount();

        foreach (var ua in TypicalUserAgents.All)
        {
            parser.Parse(ua);
        }

        Assert.True(built > 20, $"only {built} regexes built by the constructor");
        Assert.Equal(built, parser.Engine.BuiltRegexCount());
    }

    [Fact]
    public void Constructor_WarmUp_IsNeitherCountedNorMakesRulesHot()
    {
        var parser = new UserAgentParser(new UserAgentParserOptions(), hotThreshold: 1, usePrefilter: true);

        var stats = parser.GetStatistics();

        Assert.Equal(0, stats.Parses);
        Assert.Equal(0, stats.RegexRuns);
        Assert.Equal(0, parser.Engine.Rules.Sum(rule => rule.Uses));
    }

    [Fact]
    public void WarmUpBestEffort_MatchTimesOut_DoesNotThrow()
    {
        var ran = false;
        var exception = Record.Exception(() => CompiledRule.WarmUpBestEffort(
            _ =>
            {
                ran = true;
                throw new RegexMatchTimeoutException("warm-up", "pattern", TimeSpan.FromTicks(1));
            },
            TimeSpan.FromTicks(1)));
        Assert.True(ran);
        Assert.Null(exception);
    }

    [Fact]
    public void WarmUpRegexEngine_TinyTimeout_DoesNotThrow()
    {
        for (var i = 0; i < 20; i++)
        {
            CompiledRule.WarmUpRegexEngine(TimeSpan.FromTicks(1));
        }
    }

    [Fact]
    public void WarmUpBestEffort_OtherExceptions_AreNotHidden()
    {
        Assert.Throws<InvalidOperationException>(() => CompiledRule.WarmUpBestEffort(_ => throw new InvalidOperationException(), TimeSpan.FromSeconds(1)));
    }
}
