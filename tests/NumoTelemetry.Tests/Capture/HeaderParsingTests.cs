using NumoTelemetry.Capture;
using NumoTelemetry.Privacy;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Capture;

public class HeaderParsingTests
{
    [Theory]
    [InlineData("en-GB,en;q=0.8", "en")]
    [InlineData("de", "de")]
    [InlineData("zh_Hant_TW", "zh")]
    [InlineData("*", "")]
    [InlineData("", "")]
    [InlineData("1234", "")]
    [InlineData("ä", "")]
    [InlineData("haw-US", "haw")]
    [InlineData("janedoe-x-447700900123, en;q=0.5", "")]
    [InlineData("abcd", "")]
    public void PrimaryLanguage(string header, string expected) =>
        Assert.Equal(expected, HeaderValues.PrimaryLanguage(header).ToString());

    [Theory]
    [InlineData("https://www.google.com/search?q=secret", "www.google.com")]
    [InlineData("http://user:pass@Example.org:8080/x", "Example.org")]
    [InlineData("https://[2001:db8::1]/", "[2001:db8::1]")]
    [InlineData("android-app://com.google.android.gm/", "com.google.android.gm")]
    [InlineData("/relative/path", "")]
    [InlineData("javascript:alert(1)", "")]
    [InlineData("https://exa mple.com/", "")]
    public void ReferrerHost(string referrer, string expected) =>
        Assert.Equal(expected, HeaderValues.ReferrerHost(referrer).ToString());

    [Theory]
    [InlineData("shop.example", "shop.example", true)]
    [InlineData("Shop.Example", "shop.example:8443", true)]
    [InlineData("[2001:db8::1]", "[2001:db8::1]:443", true)]
    [InlineData("www.google.com", "shop.example", false)]
    [InlineData("shop.example", "", false)]
    public void IsSameHost(string referrer, string host, bool expected) =>
        Assert.Equal(expected, HeaderValues.IsSameHost(referrer, host));

    [Fact]
    public void QueryValue_FindsParameterCaseInsensitively() =>
        Assert.Equal("spring", HeaderValues.QueryValue("?a=1&UTM_Campaign=spring&b", "utm_campaign").ToString());

    [Fact]
    public void CookieScan_CountsAndFindsNamedCookies()
    {
        var scan = default(CookieScan);
        scan.Scan("a=1; .AspNetCore.Session=SESSIONVALUE; numo_vid=\"VISITOR\"; broken; numo_consent=full; =x", ".AspNetCore.Session", "numo_vid", "numo_consent");
        Assert.Equal(4, scan.Count);
        Assert.Equal("SESSIONVALUE", scan.Session.ToString());
        Assert.Equal("VISITOR", scan.Visitor.ToString());
        Assert.Equal("full", scan.Consent.ToString());
    }

    [Theory]
    [InlineData("full", ConsentLevel.Full)]
    [InlineData("ALL", ConsentLevel.Full)]
    [InlineData("analytics", ConsentLevel.AnalyticsWithoutCookies)]
    [InlineData("none", ConsentLevel.FraudPreventionOnly)]
    [InlineData("0", ConsentLevel.FraudPreventionOnly)]
    public void ConsentCookie_Parses(string value, ConsentLevel expected)
    {
        Assert.True(ConsentResolver.TryParse(value, out var level));
        Assert.Equal(expected, level);
    }

    [Fact]
    public void Consent_GpcWinsOverConsentCookie()
    {
        var resolver = new ConsentResolver(new ConsentOptions());
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Headers["Sec-GPC"] = "1";
        Assert.Equal(ConsentLevel.FraudPreventionOnly, resolver.Resolve(context, context.Request.Headers, "full"));
        context.Request.Headers.Remove("Sec-GPC");
        Assert.Equal(ConsentLevel.Full, resolver.Resolve(context, context.Request.Headers, "full"));
        context.Request.Headers["DNT"] = "1";
        Assert.Equal(ConsentLevel.FraudPreventionOnly, resolver.Resolve(context, context.Request.Headers, default));
        context.Request.Headers.Remove("DNT");
        Assert.Equal(ConsentLevel.AnalyticsWithoutCookies, resolver.Resolve(context, context.Request.Headers, default));
    }

    [Fact]
    public void Consent_ResolverCallbackDecidesFirst()
    {
        var resolver = new ConsentResolver(new ConsentOptions { Resolver = _ => ConsentLevel.Full });
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Headers["Sec-GPC"] = "1";
        Assert.Equal(ConsentLevel.Full, resolver.Resolve(context, context.Request.Headers, default));
    }
}
