using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Capture;
using NumoTelemetry.Hosting;
using NumoTelemetry.Metrics;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Capture;

/// <summary>
/// The middleware on reused <see cref="DefaultHttpContext"/>s (as in the benchmarks), metrics listened to,
/// cycling through many routes and browsers with warm caches: nothing of ours may allocate.
/// </summary>
[Collection(AllocationCollection.Name)]
public class MiddlewareAllocationTests
{
    private static readonly string[] s_userAgents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0",
        "Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "curl/8.5.0",
        "python-requests/2.31.0",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15 (Applebot/0.1)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
        "Wget/1.21.4",
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    ];

    [Fact]
    public void Invoke_ManyRoutesAndBrowsersWarm_AllocatesNothing()
    {
        using var provider = TestKeys.Services(o =>
        {
            o.RequestLog.LoggerEnabled = false;
            o.Capture.PhoneNumberHeaders = ["X-MSISDN"];
        });
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == NumoTelemetry.Metrics.NumoTelemetryMeter.Name && instrument.Meter.Scope is not null)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        listener.Start();

        RequestDelegate endpoint = static context =>
        {
            context.Response.StatusCode = 200;
            return Task.CompletedTask;
        };
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(provider, endpoint);
        var queue = provider.GetRequiredService<RecordQueue>();
        var batch = new RequestRecord[64];

        const int Routes = 50;
        var contexts = new DefaultHttpContext[Routes];
        for (var i = 0; i < Routes; i++)
        {
            var context = new DefaultHttpContext();
            context.Connection.RemoteIpAddress = IPAddress.Loopback;
            var request = context.Request;
            request.Method = (i % 3) switch { 0 => "GET", 1 => "POST", _ => "HEAD" };
            request.Scheme = "https";
            request.Protocol = "HTTP/1.1";
            request.Path = "/section" + i + "/42";
            request.Headers.UserAgent = s_userAgents[i % s_userAgents.Length];
            request.Headers["X-Forwarded-For"] = "198.51.100." + (i % 7) + ", 127.0.0.1";
            request.Headers.Cookie = ".AspNetCore.Session=CfDJ8Abc123Session" + (i % 5) + "; numo_vid=Xy12visitor" + (i % 9) + "; theme=dark";
            request.Headers.AcceptLanguage = "en-GB,en;q=0.9";
            request.Headers.Referer = "https://www.example.org/search?q=shoes";
            request.Headers["X-MSISDN"] = "+44 7700 900" + (100 + i);
            context.SetEndpoint(new RouteEndpoint(endpoint, RoutePatternFactory.Parse("/section" + i + "/{id:int}"), 0, EndpointMetadataCollection.Empty, "r" + i));
            contexts[i] = context;
        }

        // Warm every cache.
        for (var round = 0; round < 20; round++)
        {
            Run(middleware, contexts, queue, batch);
        }

        var allocated = AllocationCollection.SteadyStateBytes(() =>
        {
            for (var round = 0; round < 40; round++)
            {
                Run(middleware, contexts, queue, batch);
            }
        });

        Assert.True(allocated == 0, $"{allocated} B allocated over {40 * Routes} requests ({allocated / (40.0 * Routes):0.0} B per request)");
    }

    private static void Run(NumoTelemetryMiddleware middleware, DefaultHttpContext[] contexts, RecordQueue queue, RequestRecord[] batch)
    {
        foreach (var context in contexts)
        {
            var task = middleware.InvokeAsync(context);
            if (!task.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("The middleware did not complete synchronously.");
            }

            context.Response.Headers.Clear();
        }

        while (queue.Drain(batch) > 0)
        {
        }
    }
}
