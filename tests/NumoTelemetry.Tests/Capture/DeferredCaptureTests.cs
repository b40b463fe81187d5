using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using NumoTelemetry.Capture;
using NumoTelemetry.Fraud;
using NumoTelemetry.Hosting;
using NumoTelemetry.Metrics;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Tests.Capture;

/// <summary>
/// The request thread keeps references to the raw values and the pipeline's drain finishes the capture; a request that
/// needs its own pseudonyms (the site reads its risk, enforcement) is captured on the request thread instead.
/// </summary>
public class DeferredCaptureTests
{
    private const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

    private static DefaultHttpContext Context()
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Request.Method = "GET";
        context.Request.Path = "/account";
        context.Request.Headers.UserAgent = Chrome;
        context.Request.Headers["X-Forwarded-For"] = "198.51.100.23";
        context.Request.Headers.Cookie = ".AspNetCore.Session=S1; numo_vid=V1";
        return context;
    }

    [Fact]
    public async Task Request_LeavesCaptureToTheDrain_WhichFinishesIt()
    {
        using var services = TestKeys.Services();
        var before = DateTimeOffset.UtcNow;
        var (seen, during) = await StateDuringRequestAsync(services);

        // On the request thread: references to the raw values, no pseudonym yet.
        Assert.True(seen.Pending);
        Assert.Equal(Chrome, seen.UserAgent);
        // Nothing on the request needed the cookies parsed (no consent cookie, consent does not allow the visitor cookie):
        // the header is kept by reference and scanned by the drain.
        Assert.Equal(".AspNetCore.Session=S1; numo_vid=V1", seen.Cookies.ToString());
        Assert.True(seen.Session.IsEmpty);
        Assert.Equal(0, during.CookieCount);
        Assert.Equal(default, during.Ip);
        Assert.Equal(default, during.Session);

        var batch = new RequestRecord[4];
        Assert.Equal(1, services.GetRequiredService<RecordQueue>().Drain(batch));
        var r = batch[0];
        var p = services.GetRequiredService<Pseudonymizer>();
        Assert.Equal(p.Pseudonymize(PseudonymKind.Ip, "198.51.100.23", r.Timestamp), r.Ip);
        Assert.Equal(p.Pseudonymize(PseudonymKind.Session, "S1", r.Timestamp), r.Session);
        Assert.Equal("Chrome", r.UserAgent.Browser.Family);
        Assert.Equal(2, r.CookieCount);
        Assert.True(r.HasSessionCookie);
        Assert.True(r.HasVisitorCookie);
        Assert.Equal(p.Pseudonymize(PseudonymKind.Visitor, "V1", r.Timestamp), r.Visitor);
        Assert.False(r.VisitorCookieVerified); // not one this site signed
        Assert.InRange(r.Timestamp, before.AddSeconds(-1), DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task ConsentCookie_IsReadOnTheRequestThread_AndTheVisitorCookieDecidedThere()
    {
        using var services = TestKeys.Services();
        var context = Context();
        context.Request.Headers.Cookie = ".AspNetCore.Session=S1; numo_vid=V1; numo_consent=full";
        var (raw, record) = await StateDuringRequestAsync(services, context);

        // Scanned on the request thread: consent is full, the unsigned visitor id is replaced by an issued one.
        Assert.Equal(ConsentLevel.Full, record.Consent);
        Assert.Equal(3, record.CookieCount);
        Assert.True(record.VisitorCookieIssued);
        Assert.Equal(0, raw.Cookies.Count);
        Assert.Equal("S1", raw.Session.ToString());
        Assert.Contains("numo_vid=", context.Response.Headers.SetCookie.ToString(), StringComparison.Ordinal);

        var batch = new RequestRecord[4];
        Assert.Equal(1, services.GetRequiredService<RecordQueue>().Drain(batch));
        Assert.Equal(3, batch[0].CookieCount);
        Assert.NotEqual(default, batch[0].Session);
    }

    [Fact]
    public async Task ConsentCookieNameInAnotherCookiesValue_StillGivesTheRightCounts()
    {
        // The request thread's quick check only looks for the name; a full scan then finds no consent cookie.
        using var services = TestKeys.Services();
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(services, (RequestDelegate)(static _ => Task.CompletedTask));
        var context = Context();
        context.Request.Headers.Cookie = ".AspNetCore.Session=S1; note=numo_consent";
        await middleware.InvokeAsync(context);
        var batch = new RequestRecord[4];
        Assert.Equal(1, services.GetRequiredService<RecordQueue>().Drain(batch));
        Assert.Equal(ConsentLevel.AnalyticsWithoutCookies, batch[0].Consent);
        Assert.Equal(2, batch[0].CookieCount);
        Assert.True(batch[0].HasSessionCookie);
        Assert.False(batch[0].HasVisitorCookie);
    }

    [Fact]
    public async Task Drain_ClearsTheRawValuesFromTheQueue()
    {
        using var services = TestKeys.Services();
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(services, (RequestDelegate)(static _ => Task.CompletedTask));
        var context = Context();
        context.Request.Headers.UserAgent = "canary-" + Guid.NewGuid().ToString("N");
        await middleware.InvokeAsync(context);
        var queue = services.GetRequiredService<RecordQueue>();
        Assert.Equal(1, queue.Drain(new RequestRecord[4]));

        // Nothing reachable from the queue still holds the raw User-Agent.
        Assert.False(queue.HoldsRawValues());
    }

    [Fact]
    public async Task GetNumoRisk_CapturesOnTheRequestThread_AndMetricsAreRecordedOnce()
    {
        using var services = TestKeys.Services();
        using var collector = new MetricCollector<double>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), NumoTelemetryMeter.Name, "numo.request.duration");
        RequestRecord during = default;
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(services, (RequestDelegate)(c =>
        {
            _ = c.GetNumoRisk();
            during = NumoRequestFeature.Of(c)!.Record;
            c.NumoSignals().LoginFailed("alice");
            return Task.CompletedTask;
        }));
        await middleware.InvokeAsync(Context());
        var p = services.GetRequiredService<Pseudonymizer>();
        Assert.NotEqual(default, during.Ip);
        Assert.Equal(p.Pseudonymize(PseudonymKind.Ip, "198.51.100.23", during.Timestamp), during.Ip);

        // Measured when the request finished; the drain hands the record on without measuring it again.
        Assert.Single(collector.GetMeasurementSnapshot());
        var batch = new RequestRecord[4];
        Assert.Equal(1, services.GetRequiredService<RecordQueue>().Drain(batch));
        Assert.Single(collector.GetMeasurementSnapshot());
        Assert.Equal(during.Ip, batch[0].Ip);
        Assert.Equal(p.Pseudonymize(PseudonymKind.User, "alice", batch[0].Timestamp), batch[0].Signals[0].User);
    }

    [Fact]
    public async Task Signal_BeforeTheCaptureIsFinished_UsesTheRequestsStartTime()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 23, 59, 59, TimeSpan.Zero));
        using var services = TestKeys.Services(more: s => s.AddSingleton<TimeProvider>(time));
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(services, (RequestDelegate)(c =>
        {
            time.Advance(TimeSpan.FromSeconds(2)); // the handler runs past midnight: a new analytics epoch
            c.NumoSignals().LoginFailed("alice");
            return Task.CompletedTask;
        }));
        var start = time.GetUtcNow();
        await middleware.InvokeAsync(Context());
        time.Advance(TimeSpan.FromSeconds(1));
        var batch = new RequestRecord[4];
        Assert.Equal(1, services.GetRequiredService<RecordQueue>().Drain(batch));
        Assert.Equal(start, batch[0].Timestamp);
        Assert.Equal(TimeSpan.FromSeconds(2), batch[0].Duration);
        var p = services.GetRequiredService<Pseudonymizer>();
        Assert.Equal(p.Pseudonymize(PseudonymKind.User, "alice", start), batch[0].Signals[0].User);
        Assert.Equal(p.Pseudonymize(PseudonymKind.Ip, "198.51.100.23", start), batch[0].Ip);
    }

    [Fact]
    public async Task QueueFull_RequestIsStillCounted()
    {
        using var services = TestKeys.Services(o =>
        {
            o.Pipeline.QueueCapacity = 16;
            o.Pipeline.BatchSize = 16;
        });
        using var requests = new MetricCollector<double>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), NumoTelemetryMeter.Name, "numo.request.duration");
        using var dropped = new MetricCollector<long>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), NumoTelemetryMeter.Name, "numo.pipeline.records.dropped");
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(services, (RequestDelegate)(static _ => Task.CompletedTask));
        for (var i = 0; i < 19; i++)
        {
            await middleware.InvokeAsync(Context());
        }

        Assert.Equal(3, requests.GetMeasurementSnapshot().Count); // the three dropped ones, measured at once
        Assert.Equal(3, dropped.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(16, services.GetRequiredService<RecordQueue>().Drain(new RequestRecord[32]));
        Assert.Equal(19, requests.GetMeasurementSnapshot().Count);
    }

    [Fact]
    public async Task ParserThrowingInTheDrain_IsCounted_AndTheRecordKept()
    {
        using var services = TestKeys.Services(more: s => s.AddSingleton<IUserAgentParser, ThrowingParser>());
        using var errors = new MetricCollector<long>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), NumoTelemetryMeter.Name, "numo.errors");
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(services, (RequestDelegate)(static c =>
        {
            c.Response.StatusCode = 204;
            return Task.CompletedTask;
        }));
        var context = Context();
        await middleware.InvokeAsync(context);
        Assert.Equal(204, context.Response.StatusCode);
        var batch = new RequestRecord[4];
        Assert.Equal(1, services.GetRequiredService<RecordQueue>().Drain(batch));
        Assert.Equal(204, batch[0].StatusCode);
        Assert.NotEqual(default, batch[0].Ip); // captured up to the failure
        Assert.Contains(errors.GetMeasurementSnapshot(), m => Equals(m.Tags["numo.stage"], "capture"));
        Assert.False(services.GetRequiredService<RecordQueue>().HoldsRawValues());
    }

    [Fact]
    public async Task GetNumoRisk_ParserThrows_SiteGetsNoRiskNoException_AndTheRecordIsKept()
    {
        using var services = TestKeys.Services(more: s => s.AddSingleton<IUserAgentParser, ThrowingParser>());
        using var errors = new MetricCollector<long>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), NumoTelemetryMeter.Name, "numo.errors");
        NumoRisk? risk = null;
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(services, (RequestDelegate)(c =>
        {
            // From two threads at once, as a handler fanning out work might.
            var risks = new NumoRisk[2];
            Parallel.For(0, 2, i => risks[i] = c.GetNumoRisk());
            risk = risks[0];
            c.Response.StatusCode = 204;
            return Task.CompletedTask;
        }));
        var context = Context();
        await middleware.InvokeAsync(context);
        Assert.Equal(204, context.Response.StatusCode);
        Assert.Equal(NumoRisk.None, risk);
        Assert.Single(errors.GetMeasurementSnapshot(), m => Equals(m.Tags["numo.stage"], "capture"));
        var batch = new RequestRecord[4];
        Assert.Equal(1, services.GetRequiredService<RecordQueue>().Drain(batch));
        Assert.NotEqual(default, batch[0].Ip);
        Assert.Equal(204, batch[0].StatusCode);
    }

    [Fact]
    public async Task Enforcement_CapturesOnTheRequestThread()
    {
        using var services = TestKeys.Services(o => o.Enforcement.Mode = EnforcementMode.Block);
        var (seen, during) = await StateDuringRequestAsync(services);
        Assert.False(seen.Pending);
        Assert.Null(seen.UserAgent);
        Assert.NotEqual(default, during.Ip);
    }

    [Fact]
    public async Task PhoneHeaders_InvalidFirstValidSecond_SecondIsUsedAndTheInvalidOneCounted()
    {
        using var services = TestKeys.Services(o =>
        {
            o.Capture.PhoneNumberHeaders = ["X-MSISDN", "X-Up-Calling-Line-Id"];
            o.Capture.PhoneNumberTrustedNetworks = ["198.51.100.0/24"]; // the client's carrier, behind the loopback proxy
            o.Capture.DefaultCountryCallingCode = "44";
        });
        using var skipped = new MetricCollector<long>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), NumoTelemetryMeter.Name, "numo.capture.skipped");
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(services, (RequestDelegate)(static _ => Task.CompletedTask));
        var context = Context();
        context.Request.Headers["X-MSISDN"] = "not a number";
        context.Request.Headers["X-Up-Calling-Line-Id"] = "07700 900123";
        await middleware.InvokeAsync(context);
        var batch = new RequestRecord[4];
        Assert.Equal(1, services.GetRequiredService<RecordQueue>().Drain(batch));
        var p = services.GetRequiredService<Pseudonymizer>();
        Assert.Equal(p.Pseudonymize(PseudonymKind.Phone, "+447700900123", batch[0].Timestamp), batch[0].Phone);
        Assert.Contains(skipped.GetMeasurementSnapshot(), m => Equals(m.Tags["numo.reason"], "phone_invalid"));
    }

    /// <summary>What the handler of one request sees of NumoTelemetry's state for it.</summary>
    private static async Task<(RawRequest Raw, RequestRecord Record)> StateDuringRequestAsync(ServiceProvider services, HttpContext? context = null)
    {
        RawRequest raw = default;
        RequestRecord record = default;
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(services, (RequestDelegate)(c =>
        {
            var feature = NumoRequestFeature.Of(c)!;
            raw = feature.Raw;
            record = feature.Record;
            return Task.CompletedTask;
        }));
        await middleware.InvokeAsync(context ?? Context());
        return (raw, record);
    }

    private sealed class ThrowingParser : IUserAgentParser
    {
        public UserAgentInfo Parse(string? userAgent) => throw new InvalidOperationException("parser failed");
    }
}
