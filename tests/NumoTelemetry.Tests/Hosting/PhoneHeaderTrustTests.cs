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
}
