using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Capture;
using NumoTelemetry.Hosting;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using Microsoft.Extensions.Time.Testing;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Tests.Capture;

/// <summary>The User-Agent memo of the hot path: found by text, same answers as the full path, raw text evicted per epoch.</summary>
public class UserAgentMemoTests
{
    private const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

    private static readonly UserAgentInfo s_info = new(VersionedFamily.Other, VersionedFamily.Other, DeviceInfo.Other, BotInfo.NotABot, "desktop");

    [Fact]
    public void TryGet_SameText_Hits_WhateverTheInstance_OtherTextOrEpochMisses()
    {
        var memo = new UserAgentMemo(64);
        var ua = "raw-ua-memo-" + Guid.NewGuid();
        var copy = new string(ua.AsSpan());
        var id = Pseudonym.FromHash(PseudonymKind.UserAgent, PseudonymScope.Fraud, 1, new byte[32]);
        var facts = new UserAgentFacts(s_info, id, Visitor: default);
        memo.Set(ua, 1L << 16, facts);

        Assert.True(memo.TryGet(ua, 1L << 16, out var found));
        Assert.Same(facts, found);
        Assert.True(memo.TryGet(copy, 1L << 16, out found)); // Kestrel makes a new string per request on another connection
        Assert.Same(facts, found);
        Assert.False(memo.TryGet(ua + "x", 1L << 16, out _));
        Assert.False(memo.TryGet(ua, 2L << 16, out _)); // another epoch's tag is never served
    }

    [Fact]
    public void TryGet_ManyDistinctUserAgents_NeverAnotherTextsFacts()
    {
        var memo = new UserAgentMemo(16);
        for (var i = 0; i < 2_000; i++)
        {
            var ua = "ua-" + i;
            memo.Set(ua, 1L << 16, new UserAgentFacts(s_info, Pseudonym.FromHash(PseudonymKind.UserAgent, PseudonymScope.Fraud, 1, BitConverter.GetBytes((long)i).Concat(new byte[24]).ToArray()), default));
        }

        var hits = 0;
        for (var i = 0; i < 2_000; i++)
        {
            if (memo.TryGet("ua-" + i, 1L << 16, out var facts))
            {
                hits++;
                Assert.Equal(Pseudonym.FromHash(PseudonymKind.UserAgent, PseudonymScope.Fraud, 1, BitConverter.GetBytes((long)i).Concat(new byte[24]).ToArray()), facts.Id);
            }
        }

        Assert.InRange(hits, 1, 16); // bounded: at most one per slot
    }

    [Fact]
    public void Set_NewEpoch_DropsTheOldEpochsRawUserAgents_AndAStaleEpochIsNotBroughtBack()
    {
        var memo = new UserAgentMemo(64);
        var day1 = "raw-ua-epoch1-" + Guid.NewGuid();
        var day2 = "raw-ua-epoch2-" + Guid.NewGuid();
        var facts = new UserAgentFacts(s_info, default, default);
        memo.Set(day1, 1L << 16, facts);
        Assert.True(memo.Holds(day1));

        memo.Set(day2, 2L << 16, facts);
        Assert.False(memo.Holds(day1));
        Assert.True(memo.Holds(day2));

        memo.Set(day1, 1L << 16, facts);
        Assert.False(memo.Holds(day1));
        Assert.False(memo.TryGet(day1, 1L << 16, out _));
    }

    [Fact]
    public async Task Middleware_RepeatedUserAgent_SameFactsAsTheFullPath_AndParserCountsEveryParse()
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
        context.Request.Headers.UserAgent = new string(Chrome.AsSpan()); // same text, new instance: the memo too
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

    [Fact]
    public async Task Middleware_NextDay_CookielessVisitorUnderTheNewDaysKey_FromTheMemosUserAgent()
    {
        // The fraud epoch (30 days) outlives the analytics day: the memo keeps the User-Agent, the visitor's start is made again.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 23, 59, 0, TimeSpan.Zero));
        using var provider = TestKeys.Services(more: s => s.AddSingleton<TimeProvider>(time));
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(provider, (RequestDelegate)(static _ => Task.CompletedTask));
        var queue = provider.GetRequiredService<RecordQueue>();
        var p = provider.GetRequiredService<Pseudonymizer>();
        ClientAddress.TryParse("198.51.100.41", out var address);
        var visitors = new List<Pseudonym>();
        foreach (var minutes in new[] { 0, 0, 2, 2 })
        {
            time.Advance(TimeSpan.FromMinutes(minutes));
            var record = await CaptureOneAsync(middleware, queue, "198.51.100.41", new string(Chrome.AsSpan()));
            Assert.Equal(p.PseudonymizeCookielessVisitor(address, Chrome, string.Empty, record.Timestamp), record.AnalyticsVisitor);
            Assert.Equal(p.Pseudonymize(PseudonymKind.UserAgent, Chrome, record.Timestamp), record.UserAgentId);
            visitors.Add(record.AnalyticsVisitor);
        }

        Assert.Equal(visitors[0], visitors[1]);
        Assert.NotEqual(visitors[1], visitors[2]); // a new day: a new cookieless visitor
        Assert.Equal(visitors[2], visitors[3]);
    }

    [Fact]
    public async Task Middleware_UserAgentLongerThanTheCap_NotMemoised_SameFactsEveryTime()
    {
        using var provider = TestKeys.Services();
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(provider, (RequestDelegate)(static _ => Task.CompletedTask));
        var queue = provider.GetRequiredService<RecordQueue>();
        var finisher = provider.GetRequiredService<RequestReader>().Finisher;
        var p = provider.GetRequiredService<Pseudonymizer>();
        var longUa = Chrome + " " + new string('x', 600); // past UserAgents:MaxLength (512): a client's chosen text, not held
        ClientAddress.TryParse("198.51.100.43", out var address);
        var ids = new List<Pseudonym>();
        for (var i = 0; i < 2; i++)
        {
            var record = await CaptureOneAsync(middleware, queue, "198.51.100.43", longUa);
            Assert.Equal(p.PseudonymizeCookielessVisitor(address, longUa, string.Empty, record.Timestamp), record.AnalyticsVisitor);
            ids.Add(record.UserAgentId);
        }

        Assert.False(finisher.UserAgentMemoHolds(longUa));
        Assert.Equal(ids[0], ids[1]);
        Assert.False(ids[0].IsEmpty);

        // A User-Agent within the cap is held, with its cookieless visitor's start from its first request.
        await CaptureOneAsync(middleware, queue, "198.51.100.43", Chrome);
        Assert.True(finisher.UserAgentMemoHolds(Chrome));
    }

    /// <summary>One request from <paramref name="ip"/> with <paramref name="userAgent"/> through the middleware; its record, drained.</summary>
    private static async Task<RequestRecord> CaptureOneAsync(NumoTelemetryMiddleware middleware, RecordQueue queue, string ip, string userAgent)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(ip);
        context.Request.Headers.UserAgent = userAgent;
        await middleware.InvokeAsync(context);
        var batch = new RequestRecord[2];
        Assert.Equal(1, queue.Drain(batch));
        return batch[0];
    }
}
