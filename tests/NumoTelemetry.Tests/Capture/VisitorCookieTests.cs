using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Capture;
using NumoTelemetry.Hosting;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Capture;

public class VisitorCookieTests
{
    private static readonly DateTimeOffset s_now = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);

    private static KeyRing Ring(params (ushort Id, string Key)[] keys) =>
        KeyRing.Create(keys.ToDictionary(k => k.Id, k => Convert.FromBase64String(k.Key)));

    [Fact]
    public void Verify_IssuedValue_True()
    {
        var signer = new VisitorCookieSigner(Ring((1, KeyRing.GenerateKey())));
        var value = signer.Issue(s_now);
        Assert.Equal(VisitorCookieSigner.ValueLength, value.Length);
        Assert.True(signer.Verify(value));
        Assert.NotEqual(value, signer.Issue(s_now));
    }

    [Theory]
    [InlineData("")]
    [InlineData("V1")]
    [InlineData("forged-123")]
    [InlineData("AAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")]
    public void Verify_MadeUpValue_False(string value)
    {
        var signer = new VisitorCookieSigner(Ring((1, KeyRing.GenerateKey())));
        Assert.False(signer.Verify(value));
    }

    [Fact]
    public void Verify_AlteredOrForeignValue_False()
    {
        var signer = new VisitorCookieSigner(Ring((1, KeyRing.GenerateKey())));
        var other = new VisitorCookieSigner(Ring((1, KeyRing.GenerateKey())));
        var value = signer.Issue(s_now);
        var altered = value.ToCharArray();
        altered[10] = altered[10] == 'A' ? 'B' : 'A';
        Assert.False(signer.Verify(new string(altered)));
        Assert.False(signer.Verify(other.Issue(s_now)));
    }

    [Fact]
    public void Verify_AnyCharacterAltered_IsRejected_AndTheOriginalStillVerifies()
    {
        var signer = new VisitorCookieSigner(Ring((1, KeyRing.GenerateKey())));
        var value = signer.Issue(s_now);
        Assert.True(signer.Verify(value));
        for (var i = 2; i < value.Length - 1; i++) // the first characters carry the key id; the last one has unused low bits
        {
            var altered = value.ToCharArray();
            altered[i] = altered[i] == 'A' ? 'B' : 'A';
            Assert.False(signer.Verify(new string(altered)), $"altered at {i}");
        }

        Assert.True(signer.Verify(value));
    }

    [Fact]
    public void Verify_AfterRotation_OldCookiesStillVerifyWhileTheOldKeyIsKept()
    {
        var k1 = KeyRing.GenerateKey();
        var before = new VisitorCookieSigner(Ring((1, k1)));
        var cookie = before.Issue(s_now);
        var rotated = new VisitorCookieSigner(Ring((1, k1), (2, KeyRing.GenerateKey())));
        Assert.True(rotated.Verify(cookie));
        var shredded = new VisitorCookieSigner(Ring((2, KeyRing.GenerateKey())));
        Assert.False(shredded.Verify(cookie));
    }

    private static (ServiceProvider Services, NumoTelemetryMiddleware Middleware) Create(ConsentLevel consent)
    {
        var provider = TestKeys.Services(o => o.Consent.DefaultLevel = consent);
        return (provider, ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(provider, (RequestDelegate)(static _ => Task.CompletedTask)));
    }

    private static async Task<(RequestRecord Record, string SetCookie)> SendAsync(ServiceProvider services, NumoTelemetryMiddleware middleware, string? visitorCookie)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.9");
        context.Request.Method = "GET";
        context.Request.Path = "/";
        if (visitorCookie is not null)
        {
            context.Request.Headers.Cookie = "numo_vid=" + visitorCookie;
        }

        await middleware.InvokeAsync(context);
        var batch = new RequestRecord[4];
        Assert.Equal(1, services.GetRequiredService<RecordQueue>().Drain(batch));
        return (batch[0], context.Response.Headers.SetCookie.ToString());
    }

    [Fact]
    public async Task Invoke_IssuedCookieSentBack_Verified()
    {
        var (services, middleware) = Create(ConsentLevel.Full);
        using var _ = services;
        var (first, setCookie) = await SendAsync(services, middleware, null);
        Assert.True(first.VisitorCookieIssued);
        var value = setCookie["numo_vid=".Length..setCookie.IndexOf(';', StringComparison.Ordinal)];
        var (second, again) = await SendAsync(services, middleware, value);
        Assert.True(second.HasVisitorCookie);
        Assert.True(second.VisitorCookieVerified);
        Assert.False(second.VisitorCookieIssued);
        Assert.Equal(first.Visitor, second.Visitor);
        Assert.Empty(again);
    }

    [Fact]
    public async Task Invoke_MadeUpCookie_NotVerifiedAndReplaced()
    {
        var (services, middleware) = Create(ConsentLevel.Full);
        using var _ = services;
        var (record, setCookie) = await SendAsync(services, middleware, "made-up-by-a-bot");
        Assert.True(record.HasVisitorCookie);
        Assert.False(record.VisitorCookieVerified);
        Assert.True(record.VisitorCookieIssued);
        Assert.StartsWith("numo_vid=", setCookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_MadeUpCookieWithoutCookieConsent_NotVerifiedNotReplaced()
    {
        var (services, middleware) = Create(ConsentLevel.AnalyticsWithoutCookies);
        using var _ = services;
        var (record, setCookie) = await SendAsync(services, middleware, "made-up-by-a-bot");
        Assert.True(record.HasVisitorCookie);
        Assert.False(record.VisitorCookieVerified);
        Assert.False(record.VisitorCookieIssued);
        Assert.Empty(setCookie);
    }
}
