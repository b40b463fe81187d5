using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace NumoTelemetry.Benchmarks;

/// <summary>The request and the NumoTelemetry set-up the middleware and pipeline benchmarks share.</summary>
internal static class BenchmarkRequests
{
    /// <summary>Services with everything on except the request-log sinks (their cost is the pipeline's, measured end to end).</summary>
    public static IServiceCollection AddBenchmarkNumoTelemetry(this IServiceCollection services, string key, Action<INumoTelemetryBuilder>? addOns = null)
    {
        services.AddLogging();
        var numo = services.AddNumoTelemetry(o =>
        {
            o.Pseudonymization.Keys["1"] = key;
            o.RequestLog.FileEnabled = false;
            o.RequestLog.LoggerEnabled = false;
            o.Capture.PhoneNumberHeaders = ["X-MSISDN"];
            o.Capture.PhoneNumberTrustedNetworks = ["0.0.0.0/0"]; // every client reaches the site through a carrier gateway
        });
        addOns?.Invoke(numo);
        return services;
    }

    /// <summary>Metrics on, as with an exporter attached (the callbacks do nothing: the exporter's cost is not ours).</summary>
    public static MeterListener StartMetricsListener()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "NumoTelemetry")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        listener.Start();
        return listener;
    }

    /// <summary>
    /// A browser's request through a trusted local proxy: forwarded client IP, User-Agent, session, visitor and another
    /// cookie, language, referrer, and a route template.
    /// </summary>
    public static DefaultHttpContext CreateContext(RequestDelegate endpoint)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        var request = context.Request;
        request.Method = "GET";
        request.Scheme = "https";
        request.Protocol = "HTTP/1.1";
        request.Path = "/products/42";
        request.Headers.UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        request.Headers["X-Forwarded-For"] = "198.51.100.23, 127.0.0.1";
        request.Headers.Cookie = ".AspNetCore.Session=CfDJ8Abc123SessionValue; numo_vid=Xy12visitorid; theme=dark";
        request.Headers.AcceptLanguage = "en-GB,en;q=0.9";
        request.Headers.Referer = "https://www.example.org/search?q=shoes";
        context.SetEndpoint(new RouteEndpoint(endpoint, RoutePatternFactory.Parse("/products/{id:int}"), 0, EndpointMetadataCollection.Empty, "products"));
        return context;
    }
}
