using System.Text.RegularExpressions;
using NumoTelemetry.UserAgents.Engine;

namespace NumoTelemetry.UserAgents.Tests.Engine;

/// <summary>
/// The regex engine warm-up runs on the thread pool with the configured match timeout; a timeout there (a loaded
/// machine, a tiny timeout) must not escape, since an unhandled exception on a pool thread ends the process.
/// </summary>
public sealed class WarmUpTests
{
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
