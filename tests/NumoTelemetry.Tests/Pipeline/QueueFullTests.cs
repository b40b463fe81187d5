using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NumoTelemetry.Metrics;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Records;
using NumoTelemetry.Tests.Hosting;

namespace NumoTelemetry.Tests.Pipeline;

public class QueueFullTests
{
    [Fact]
    public async Task FullQueue_RequestsServedAndDropsCounted()
    {
        // A processor that blocks keeps the queue full; requests must still be served at once.
        var gate = new TaskCompletionSource();
        await using var site = await TestSite.StartAsync(
            o =>
            {
                o.Pipeline.QueueCapacity = 16;
                o.Pipeline.BatchSize = 1;
            },
            addOns: b => b.Services.AddSingleton<IRequestRecordProcessor>(new BlockingProcessor(gate.Task)));
        using var dropped = new MetricCollector<long>(site.App.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), NumoTelemetryMeter.Name, "numo.pipeline.records.dropped");
        try
        {
            for (var i = 0; i < 60; i++)
            {
                Assert.Equal("hello", await site.Client.GetStringAsync(new Uri("/", UriKind.Relative)));
            }

            Assert.True(dropped.GetMeasurementSnapshot().Count > 0, "drops were not counted");
            Assert.All(dropped.GetMeasurementSnapshot(), m => Assert.Equal("queue_full", m.Tags["numo.reason"]));
        }
        finally
        {
            gate.SetResult();
        }
    }

    private sealed class BlockingProcessor(Task gate) : IRequestRecordProcessor
    {
        public async ValueTask ProcessAsync(ReadOnlyMemory<RequestRecord> batch, CancellationToken cancellationToken) =>
            await gate.WaitAsync(cancellationToken);
    }
}
