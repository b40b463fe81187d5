using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Capture;
using NumoTelemetry.Hosting;
using NumoTelemetry.Privacy;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Capture;

/// <summary>The page path kept for analytics: scrubbed, and a path that passed before found by its text, never a sensitive one.</summary>
public class PagePathTests
{
    [Fact]
    public async Task PagePath_RepeatedPath_OneSharedString_SensitivePathRedactedEveryTime()
    {
        using var provider = TestKeys.Services();
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(provider, (RequestDelegate)(static _ => Task.CompletedTask));
        var queue = provider.GetRequiredService<RecordQueue>();
        string[] paths = ["/products/shoes", "/products/shoes", "/reset/jane.doe@example.com", "/reset/jane.doe@example.com", "/call/0044207946000", "/products/shoes"];
        var batch = new RequestRecord[8];
        var kept = new List<string?>();
        foreach (var path in paths)
        {
            var context = new DefaultHttpContext();
            context.Connection.RemoteIpAddress = IPAddress.Parse("198.51.100.42");
            context.Request.Method = "GET";
            context.Request.Path = new string(path.AsSpan()); // a new string per request, as Kestrel makes
            await middleware.InvokeAsync(context);
            Assert.Equal(1, queue.Drain(batch));
            kept.Add(batch[0].PagePath);
        }

        Assert.Equal("/products/shoes", kept[0]);
        Assert.Same(kept[0], kept[1]);
        Assert.Same(kept[0], kept[5]);
        Assert.Equal(FreeTextScrubber.Redacted, kept[2]);
        Assert.Equal(FreeTextScrubber.Redacted, kept[3]);
        Assert.Equal(FreeTextScrubber.Redacted, kept[4]);
    }
}
