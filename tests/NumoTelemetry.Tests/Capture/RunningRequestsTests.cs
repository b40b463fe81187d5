using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Capture;
using NumoTelemetry.Hosting;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Capture;

/// <summary>
/// A running request's state is found from its context without an HttpContext feature (setting one would make the context
/// fetch every cached feature again), and never for another request.
/// </summary>
public class RunningRequestsTests
{
    [Fact]
    public async Task Middleware_SetsNoFeature_AndTheSignalsApiFindsTheRequest()
    {
        using var services = TestKeys.Services();
        long revisionBefore = -1;
        long revisionDuring = -2;
        NumoRequestFeature? viaFeatures = null;
        NumoRequestFeature? found = null;
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(services, (RequestDelegate)(c =>
        {
            revisionDuring = c.Features.Revision;
            viaFeatures = c.Features.Get<NumoRequestFeature>();
            found = NumoRequestFeature.Of(c);
            c.NumoSignals().LoginFailed("alice");
            return Task.CompletedTask;
        }));
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        revisionBefore = context.Features.Revision;

        await middleware.InvokeAsync(context);

        Assert.Equal(revisionBefore, revisionDuring);
        Assert.Null(viaFeatures);
        Assert.NotNull(found);
        Assert.Null(NumoRequestFeature.Of(context)); // finished: found no more
        var batch = new RequestRecord[2];
        Assert.Equal(1, services.GetRequiredService<RecordQueue>().Drain(batch));
        var p = services.GetRequiredService<Pseudonymizer>();
        Assert.Equal(p.Pseudonymize(PseudonymKind.User, "alice", batch[0].Timestamp), batch[0].Signals[0].User);
    }

    [Fact]
    public void RecycledFeature_IsNotFoundForTheOldContext()
    {
        var first = new DefaultHttpContext();
        var second = new DefaultHttpContext();
        var feature = new NumoRequestFeature();
        RunningRequests.Add(first, feature);
        Assert.Same(first, feature.Owner);
        Assert.Same(feature, RunningRequests.Find(first));

        RunningRequests.Remove(feature);
        Assert.Null(feature.Owner);
        Assert.Null(RunningRequests.Find(first));
        Assert.Equal(-1, feature.Slot);

        // The same object, reused for another request: the first context must not see it.
        RunningRequests.Add(second, feature);
        Assert.Null(RunningRequests.Find(first));
        Assert.Same(feature, RunningRequests.Find(second));
        RunningRequests.Remove(feature);
    }

    [Fact]
    public async Task MoreRunningRequestsThanSlots_FallBackToAFeature_AndEachFindsItsOwn()
    {
        // More requests at once than the table has slots (as with thousands of open WebSockets): the overflow uses an
        // HttpContext feature, and every request still finds its own state, from several threads at once.
        const int count = 6000;
        var contexts = new DefaultHttpContext[count];
        var features = new NumoRequestFeature[count];
        for (var i = 0; i < count; i++)
        {
            contexts[i] = new DefaultHttpContext();
            features[i] = new NumoRequestFeature();
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = t; i < count; i += 4)
            {
                RunningRequests.Add(contexts[i], features[i]);
            }
        })));

        Assert.Contains(features, f => f.Slot == -1);
        Assert.Contains(features, f => f.Slot >= 0);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = t; i < count; i += 4)
            {
                Assert.Same(features[i], RunningRequests.Find(contexts[i]));
            }
        })));

        for (var i = 0; i < count; i++)
        {
            RunningRequests.Remove(features[i]);
        }

        for (var i = 0; i < count; i++)
        {
            Assert.Null(RunningRequests.Find(contexts[i]));
        }
    }
}
