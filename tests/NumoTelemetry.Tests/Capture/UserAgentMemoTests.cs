using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Capture;
using NumoTelemetry.Hosting;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Tests.Capture;

/// <summary>The per-string User-Agent memo of the hot path: same answers as the full path, raw text evicted per epoch.</summary>
public class UserAgentMemoTests
{
    private const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

    private static readonly UserAgentInfo s_info = new(VersionedFamily.Other, VersionedFamily.Other, DeviceInfo.Other, BotInfo.NotABot, "desktop");

    [Fact]
    public void TryGet_SameInstance_Hits_OtherInstanceWithSameText_Misses()
    {
        var memo = new UserAgentMemo(64);
        var ua = "raw-ua-memo-" + Guid.NewGuid();
        var copy = new string(ua.AsSpan());
        var id = Pseudonym.FromHash(PseudonymKind.UserAgent, PseudonymScope.Fraud, 1, new byte[32]);
        memo.Set(ua, 1L << 16, s_info, id);

        Assert.True(memo.TryGet(ua, 1L << 16, out var info, out var found));
        Assert.Same(s_info, info);
        Assert.Equal(id, found);
        Assert.False(memo.TryGet(copy, 1L << 16, out _, out _));
        Assert.False(memo.TryGet(ua, 2L << 16, out _, out _)); // another epoch's tag is never served
    }

    [Fact]
    public void Set_NewEpoch_DropsTheOldEpochsRawUserAgents_AndAStaleEpochIsNotBroughtBack()
    {
        var memo = new UserAgentMemo(64);
        var day1 = "raw-ua-epoch1-" + Guid.NewGuid();
        var day2 = "raw-ua-epoch2-" + Guid.NewGuid();
        memo.Set(day1, 1L << 16, s_info, default);
        Assert.True(memo.Holds(day1));

        memo.Set(day2, 2L << 16, s_info, default);
        Assert.False(memo.Holds(day1));
        Assert.True(memo.Holds(day2));

        memo.Set(day1, 1L << 16, s_info, default);
        Assert.False(memo.Holds(day1));
        Assert.False(memo.TryGet(day1, 1L << 16, out _, out _));
    }

    [Fact]
    public async Task Middleware_RepeatedUserAgentInstance_SameFactsAsTheFullPath_AndParserCountsEveryParse()
    {
        using var provider = TestKeys.Services();
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(provider, (RequestDelegate)(static _ => Task.CompletedTask));
        var parser = (UserAgentParser)provider.GetRequiredService<IUserAgentParser>();
        var queue = provider.GetRequiredService<RecordQueue>();
        var p = provider.GetRequiredService<Pseudonymizer>();
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("198.51.100.40");
        context.Request.Headers.UserAgent = Chrome;
        var before = parser.GetStatistics();

        await middleware.InvokeAsync(context);
        await middleware.InvokeAsync(context); // same string instance: answered by the memo
        context.Request.Headers.UserAgent = new string(Chrome.AsSpan()); // same text, new instance: full path
        await middleware.InvokeAsync(context);

        var batch = new RequestRecord[4];
        Assert.Equal(3, queue.Drain(batch));
        var expectedId = p.Pseudonymize(PseudonymKind.UserAgent, Chrome, batch[0].Timestamp);
        ClientAddress.TryParse("198.51.100.40", out var address);
        var expectedVisitor = p.PseudonymizeCookielessVisitor(address, Chrome, string.Empty, batch[0].Timestamp);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(expectedId, batch[i].UserAgentId);
            Assert.Equal(expectedVisitor, batch[i].AnalyticsVisitor);
            Assert.Same(batch[0].UserAgent, batch[i].UserAgent);
        }

        Assert.Equal("Chrome", batch[0].UserAgent.Browser.Family);
        var after = parser.GetStatistics();
        Assert.Equal(3, after.Parses - before.Parses);
        Assert.Equal(after.Parses - before.Parses - 1, after.CacheHits - before.CacheHits);
    }
}
