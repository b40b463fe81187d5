using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NumoTelemetry.Capture;
using NumoTelemetry.Hosting;
using NumoTelemetry.Metrics;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Hosting;

/// <summary>
/// Issue 12: a carrier phone header (<c>X-MSISDN</c>) is believed only from the carrier's or the site's own proxy networks, as
/// forwarding headers are; from any other peer it is a claim the client makes about itself and is ignored (and counted).
/// </summary>
public class PhoneHeaderTrustTests
{
    private const string Number = "+44 7700 900321";
    private const string E164 = "+447700900321";

    [Fact]
    public async Task PhoneHeader_FromAnUntrustedPeer_IsIgnoredAndCounted()
    {
        // Loopback is not a trusted proxy here, so the test client (127.0.0.1) is an ordinary client.
        await using var site = await TestSite.StartAsync(o => o.ClientIp.TrustLoopback = false);
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/"))
        {
            request.Headers.TryAddWithoutValidation("X-MSISDN", Number);
            using var response = await site.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await site.WaitForRecordsAsync(1);
        var log = site.ReadRequestLog();
        Assert.Single(log.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var phone = site.App.Services.GetRequiredService<Pseudonymizer>().Pseudonymize(PseudonymKind.Phone, E164, DateTimeOffset.UtcNow).ToString();
        Assert.DoesNotContain(phone, log, StringComparison.Ordinal);
        Assert.DoesNotContain("\"phone\":", log, StringComparison.Ordinal);
        Assert.Contains("numo.reason=phone_untrusted_peer", site.MetricTagValues);
    }

    [Fact]
    public async Task PhoneHeader_FromAConfiguredCarrierNetwork_IsPseudonymised()
    {
        // The peer (127.0.0.1) is no trusted proxy but is in the carrier networks.
        await using var site = await TestSite.StartAsync(o =>
        {
            o.ClientIp.TrustLoopback = false;
            o.Capture.PhoneNumberTrustedNetworks = ["127.0.0.0/8"];
        });
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/"))
        {
            request.Headers.TryAddWithoutValidation("X-MSISDN", Number);
            using var response = await site.Client.SendAsync(request);
        }

        await site.WaitForRecordsAsync(1);
        var phone = site.App.Services.GetRequiredService<Pseudonymizer>().Pseudonymize(PseudonymKind.Phone, E164, DateTimeOffset.UtcNow).ToString();
        Assert.Contains(phone, site.ReadRequestLog(), StringComparison.Ordinal);
        Assert.DoesNotContain("numo.reason=phone_untrusted_peer", site.MetricTagValues);
    }

    [Fact]
    public async Task PhoneHeader_RelayedByTheSitesOwnProxyForAnOrdinaryClient_IsIgnored()
    {
        // The sample's set-up: a reverse proxy on this machine (TrustLoopback), no carrier networks configured. A reverse
        // proxy passes request headers through, so an ordinary client (198.51.100.7, as the proxy's X-Forwarded-For says)
        // that sends its own X-MSISDN has it believed: the default "the trusted proxies" is the original hole behind a proxy.
        await using var site = await TestSite.StartAsync(o => o.ClientIp.TrustLoopback = true);
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/"))
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "198.51.100.7");
            request.Headers.TryAddWithoutValidation("X-MSISDN", Number);
            using var response = await site.Client.SendAsync(request);
        }

        await site.WaitForRecordsAsync(1);
        var phone = site.App.Services.GetRequiredService<Pseudonymizer>().Pseudonymize(PseudonymKind.Phone, E164, DateTimeOffset.UtcNow).ToString();
        Assert.DoesNotContain(phone, site.ReadRequestLog(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("203.0.113.9", null, null, true)] // a trusted proxy that is itself the client (a carrier gateway)
    [InlineData("203.0.113.9", null, "198.51.100.8", false)] // a client relayed by the site's proxy
    [InlineData("198.51.100.7", null, "203.0.113.9", false)] // any other client, whatever it forwards
    [InlineData("198.51.100.7", "198.51.100.0/24", null, true)] // the carrier's network
    [InlineData("203.0.113.9", "198.51.100.0/24", "198.51.100.8", true)] // the carrier's network behind the site's proxy
    [InlineData("203.0.113.9", "198.51.100.0/24", null, false)] // the carrier networks replace the proxies for phone headers
    [InlineData("192.0.2.5", "198.51.100.0/24", "198.51.100.8", false)] // an untrusted peer cannot forward its way in
    [InlineData("::1", null, null, false)] // loopback is not trusted here
    public async Task PhoneHeader_IsBelievedOnlyFromTrustedNetworks(string peer, string? carriers, string? forwardedFor, bool believed)
    {
        using var services = TestKeys.Services(o =>
        {
            o.ClientIp.TrustLoopback = false;
            o.ClientIp.TrustedProxies = ["203.0.113.0/24"];
            o.Capture.PhoneNumberHeaders = ["X-MSISDN"];
            o.Capture.PhoneNumberTrustedNetworks = carriers is null ? [] : [carriers];
        });
        using var skipped = new MetricCollector<long>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), NumoTelemetryMeter.Name, "numo.capture.skipped");
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(services, (RequestDelegate)(static _ => Task.CompletedTask));
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        context.Request.Method = "GET";
        context.Request.Path = "/";
        context.Request.Headers["X-MSISDN"] = Number;

        // Checked: the address that reached the site through its trusted proxies (the socket peer when there are none).
        if (forwardedFor is not null)
        {
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        }

        await middleware.InvokeAsync(context);

        var batch = new RequestRecord[1];
        Assert.Equal(1, services.GetRequiredService<RecordQueue>().Drain(batch));
        var expected = believed ? services.GetRequiredService<Pseudonymizer>().Pseudonymize(PseudonymKind.Phone, E164, batch[0].Timestamp) : default;
        Assert.Equal(expected, batch[0].Phone);
        Assert.Equal(believed ? 0 : 1, skipped.GetMeasurementSnapshot().Count(m => Equals(m.Tags["numo.reason"], "phone_untrusted_peer")));
    }
}
