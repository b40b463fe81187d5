using System.Net;
using System.Net.Http.Headers;
using NumoTelemetry.Dashboard.Tests.Infrastructure;

namespace NumoTelemetry.Dashboard.Tests.Sample;

/// <summary>
/// The sample's <c>/metrics</c> carries real-time, unsuppressed counts (one visitor can be a series of 1): it answers a
/// scraper on the same machine or one holding the configured token, and nobody who comes through a proxy without it.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class MetricsAccessTests(SampleServer server)
{
    [Fact]
    public async Task Metrics_DirectLoopbackScraper_GetsTheSeries()
    {
        using var client = Client();
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("numo_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.9")]
    [InlineData("Forwarded", "for=203.0.113.9")]
    [InlineData("X-Real-IP", "203.0.113.9")]
    public async Task Metrics_OutsideClientRelayedByLocalProxy_IsNotFound(string header, string value)
    {
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.TryAddWithoutValidation(header, value);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("numo_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_RemoteScraperWithToken_GetsTheSeries()
    {
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "198.51.100.20");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SampleServer.MetricsToken);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("numo_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_RemoteScraperWithWrongToken_IsNotFound()
    {
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "198.51.100.20");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SampleServer.MetricsToken + "x");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private HttpClient Client() =>
        new(new HttpClientHandler { UseProxy = false, AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
}
