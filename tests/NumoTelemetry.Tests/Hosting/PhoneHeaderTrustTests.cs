using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NumoTelemetry.Capture;
using NumoTelemetry.Metrics;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Pseudonymization;

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

    [Theory]
    [InlineData("203.0.113.9", null, true)] // a trusted proxy
    [InlineData("198.51.100.7", null, false)] // any other client
    [InlineData("198.51.100.7", "198.51.100.0/24", true)] // the carrier's network
    [InlineData("203.0.113.9", "198.51.100.0/24", false)] // the carrier networks replace the proxies for phone headers
    [InlineData("::1", null, false)] // loopback is not trusted here
    public async Task PhoneHeader_IsBelievedOnlyFromTrustedNetworks(string peer, string? carriers, bool believed)
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

        // A forwarded address inside the carrier network does not make an untrusted peer trusted: the socket peer is checked.
        context.Request.Headers["X-Forwarded-For"] = "198.51.100.8";
        await middleware.InvokeAsync(context);

        var batch = new RequestRecord[1];
        Assert.Equal(1, services.GetRequiredService<RecordQueue>().Drain(batch));
        var expected = believed ? services.GetRequiredService<Pseudonymizer>().Pseudonymize(PseudonymKind.Phone, E164, batch[0].Timestamp) : default;
        Assert.Equal(expected, batch[0].Phone);
        Assert.Equal(believed ? 0 : 1, skipped.GetMeasurementSnapshot().Count(m => Equals(m.Tags["numo.reason"], "phone_untrusted_peer")));
    }
}
