using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Capture;
using NumoTelemetry.Hosting;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Capture;

public class MiddlewareTests
{
    private static (ServiceProvider Services, NumoTelemetryMiddleware Middleware) Create(Action<NumoTelemetryOptions>? configure = null, RequestDelegate? next = null)
    {
        var provider = TestKeys.Services(configure);
        next ??= static c =>
        {
            c.Response.StatusCode = 201;
            return Task.CompletedTask;
        };
        return (provider, ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(provider, next));
    }

    private static DefaultHttpContext Context()
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Request.Method = "GET";
        context.Request.Path = "/products/42";
        context.Request.Headers.UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        context.Request.Headers["X-Forwarded-For"] = "198.51.100.23";
        context.Request.Headers.Cookie = ".AspNetCore.Session=S1; numo_vid=V1";
        context.Request.Headers.AcceptLanguage = "en-GB";
        context.SetEndpoint(new RouteEndpoint(static _ => Task.CompletedTask, RoutePatternFactory.Parse("/products/{id:int}"), 0, EndpointMetadataCollection.Empty, "p"));
        return context;
    }

    [Fact]
    public async Task Invoke_BuildsPseudonymisedRecord()
    {
        var (services, middleware) = Create();
        using var _ = services;
        var context = Context();
        await middleware.InvokeAsync(context);
        var queue = services.GetRequiredService<RecordQueue>();
        var batch = new RequestRecord[4];
        Assert.Equal(1, queue.Drain(batch));
        var r = batch[0];
        var p = services.GetRequiredService<Pseudonymizer>();
        Assert.Equal(p.Pseudonymize(PseudonymKind.Ip, "198.51.100.23", r.Timestamp), r.Ip);
        Assert.Equal(p.Pseudonymize(PseudonymKind.Session, "S1", r.Timestamp), r.Session);
        Assert.Equal(p.Pseudonymize(PseudonymKind.Visitor, "V1", r.Timestamp), r.Visitor);
        Assert.Equal(ClientIpSource.XForwardedFor, r.ClientIpSource);
        Assert.Equal("/products/{id:int}", r.Route);
        Assert.Equal(201, r.StatusCode);
        Assert.Equal("en", r.Language);
        Assert.Equal(2, r.CookieCount);
        Assert.True(r.HasSessionCookie);
        Assert.Equal(ConsentLevel.AnalyticsWithoutCookies, r.Consent);
        Assert.False(r.AnalyticsVisitor.IsEmpty);
        Assert.Equal(PseudonymScope.Analytics, r.AnalyticsVisitor.Scope);
    }

    [Fact]
    public async Task Invoke_SameClientAgain_SamePseudonymsEveryTime()
    {
        var (services, middleware) = Create();
        using var _ = services;
        var context = Context();
        var queue = services.GetRequiredService<RecordQueue>();
        var batch = new RequestRecord[16];
        await middleware.InvokeAsync(context);
        Assert.Equal(1, queue.Drain(batch));
        var first = batch[0];
        for (var i = 0; i < 20; i++)
        {
            await middleware.InvokeAsync(context);
            Assert.Equal(1, queue.Drain(batch));
            Assert.Equal(first.Ip, batch[0].Ip);
            Assert.Equal(first.IpPrefix, batch[0].IpPrefix);
            Assert.Equal(first.Session, batch[0].Session);
            Assert.Equal(first.UserAgentId, batch[0].UserAgentId);
            Assert.Equal(first.Path, batch[0].Path);
            Assert.Equal(first.AnalyticsVisitor, batch[0].AnalyticsVisitor);
        }

        Assert.False(first.Ip.IsEmpty);
        Assert.False(first.Session.IsEmpty);
    }

    [Fact]
    public async Task Invoke_FullConsentWithoutCookie_IssuesSecureVisitorCookie()
    {
        var (services, middleware) = Create(o => o.Consent.DefaultLevel = ConsentLevel.Full);
        using var _ = services;
        var context = Context();
        context.Request.Headers.Cookie = default;
        await middleware.InvokeAsync(context);
        var setCookie = context.Response.Headers.SetCookie.ToString();
        Assert.StartsWith("numo_vid=", setCookie, StringComparison.Ordinal);
        Assert.Contains("secure", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("Sec-GPC")]
    [InlineData("DNT")]
    public async Task Invoke_OptOutSignal_NoCookieNoAnalyticsVisitorButStillRecorded(string header)
    {
        var (services, middleware) = Create(o => o.Consent.DefaultLevel = ConsentLevel.Full);
        using var _ = services;
        var context = Context();
        context.Request.Headers.Cookie = default;
        context.Request.Headers[header] = "1";
        await middleware.InvokeAsync(context);
        Assert.Equal(0, context.Response.Headers.SetCookie.Count);
        var batch = new RequestRecord[4];
        Assert.Equal(1, services.GetRequiredService<RecordQueue>().Drain(batch));
        Assert.Equal(ConsentLevel.FraudPreventionOnly, batch[0].Consent);
        Assert.True(batch[0].AnalyticsVisitor.IsEmpty);
        Assert.False(batch[0].Ip.IsEmpty);
    }

    [Fact]
    public async Task Invoke_Disabled_PassesThrough()
    {
        var (services, middleware) = Create(o => o.Enabled = false);
        using var _ = services;
        await middleware.InvokeAsync(Context());
        Assert.Equal(0, services.GetRequiredService<RecordQueue>().Count);
    }

    [Fact]
    public async Task Signals_TooMany_KeptFourAndFlaggedTruncated()
    {
        var (services, middleware) = Create(next: c =>
        {
            for (var i = 0; i < 6; i++)
            {
                c.NumoSignals().LoginFailed("user" + i);
            }

            return Task.CompletedTask;
        });
        using var _ = services;
        await middleware.InvokeAsync(Context());
        var batch = new RequestRecord[4];
        services.GetRequiredService<RecordQueue>().Drain(batch);
        Assert.Equal(RequestRecord.MaxSignals, batch[0].SignalCount);
        Assert.True(batch[0].SignalsTruncated);
    }

    [Fact]
    public async Task Signals_OutsideNumo_DoNothing()
    {
        var context = new DefaultHttpContext();
        context.NumoSignals().LoginFailed("x").Custom("password_reset");
        Assert.False(context.GetNumoRisk().HasRisk);
        await Task.CompletedTask;
    }
}
