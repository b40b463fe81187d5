using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NumoTelemetry.Capture;
using NumoTelemetry.Hosting;
using NumoTelemetry.Metrics;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Capture;

public class MetricTagTests
{
    private const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    private const string Googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

    [Theory]
    [InlineData("GET", "GET")]
    [InlineData("HEAD", "HEAD")]
    [InlineData("POST", "POST")]
    [InlineData("PUT", "PUT")]
    [InlineData("DELETE", "DELETE")]
    [InlineData("CONNECT", "CONNECT")]
    [InlineData("OPTIONS", "OPTIONS")]
    [InlineData("TRACE", "TRACE")]
    [InlineData("PATCH", "PATCH")]
    [InlineData("PROPFIND", "_OTHER")]
    [InlineData("get", "_OTHER")]
    [InlineData("X-CANARY-METHOD", "_OTHER")]
    public async Task RequestDuration_Method_IsStandardOrOther(string method, string expected)
    {
        var measurement = await MeasureAsync(method, Chrome);
        Assert.Equal(expected, measurement.Tags["http.request.method"]);
    }

    [Fact]
    public async Task RequestDuration_Browser_HasNoSyntheticType()
    {
        var measurement = await MeasureAsync("GET", Chrome);
        Assert.False(measurement.Tags.ContainsKey("user_agent.synthetic.type"));
        Assert.Equal("Chrome", measurement.Tags["user_agent.name"]);
    }

    [Fact]
    public async Task RequestDuration_Crawler_IsSyntheticBot()
    {
        var measurement = await MeasureAsync("GET", Googlebot);
        Assert.Equal("bot", measurement.Tags["user_agent.synthetic.type"]);
    }

    [Fact]
    public void MethodTag_ManyOddMethods_NeverMoreThanTenValues()
    {
        var seen = new HashSet<string>();
        for (var i = 0; i < 1000; i++)
        {
            seen.Add(NumoTelemetryMetrics.MethodTag("M" + i));
        }

        seen.Add(NumoTelemetryMetrics.MethodTag(null));
        Assert.Equal(["_OTHER"], seen);
    }

    private static async Task<CollectedMeasurement<double>> MeasureAsync(string method, string userAgent)
    {
        await using var provider = TestKeys.Services();
        using var collector = new MetricCollector<double>(provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), NumoTelemetryMeter.Name, "numo.request.duration");
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(provider, (RequestDelegate)(static _ => Task.CompletedTask));
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Request.Method = method;
        context.Request.Headers.UserAgent = userAgent;
        await middleware.InvokeAsync(context);

        // The request's metrics are recorded when its capture is finished: by the pipeline's drain, as here.
        Assert.Empty(collector.GetMeasurementSnapshot());
        Assert.Equal(1, provider.GetRequiredService<RecordQueue>().Drain(new RequestRecord[4]));
        return Assert.Single(collector.GetMeasurementSnapshot());
    }
}
