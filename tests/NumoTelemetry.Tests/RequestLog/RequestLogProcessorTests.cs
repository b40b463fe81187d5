using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NumoTelemetry.Metrics;
using NumoTelemetry.Records;
using NumoTelemetry.RequestLog;
using NumoTelemetry.Tests.Pipeline;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Tests.RequestLog;

public class RequestLogProcessorTests
{
    [Fact]
    public async Task File_DirectoryWritableLater_RetriedWithBackoffAndFailuresCounted()
    {
        var root = Path.Combine(Path.GetTempPath(), "numo-retry-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var blocker = Path.Combine(root, "blocked");
        File.WriteAllText(blocker, "a file where the log directory should be");
        try
        {
            using var meterFactory = new PipelineTests.TestMeterFactory();
            var options = Options.Create(new NumoTelemetryOptions());
            options.Value.RequestLog.LoggerEnabled = false;
            options.Value.RequestLog.Directory = Path.Combine(blocker, "request-log");
            var metrics = new NumoTelemetryMetrics(meterFactory, options);
            using var errors = new MetricCollector<long>(meterFactory, NumoTelemetryMeter.Name, "numo.errors");
            using var dropped = new MetricCollector<long>(meterFactory, NumoTelemetryMeter.Name, "numo.pipeline.records.dropped");
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
            using var processor = new RequestLogProcessor(options, NullLoggerFactory.Instance, metrics, time);
            var batch = new RequestRecord[] { Record(time), Record(time) };

            // Not writable: counted, nothing thrown.
            await processor.ProcessAsync(batch, CancellationToken.None);
            Assert.Single(errors.GetMeasurementSnapshot(), m => (string?)m.Tags["numo.stage"] == "request_log_file");

            // Writable again, but still within the backoff: skipped and counted, not retried yet.
            File.Delete(blocker);
            await processor.ProcessAsync(batch, CancellationToken.None);
            Assert.Single(errors.GetMeasurementSnapshot());
            Assert.Equal(4, dropped.GetMeasurementSnapshot().Count(m => (string?)m.Tags["numo.reason"] == "request_log_file"));

            // After the backoff the file is reopened (its directory created) and written.
            time.Advance(TimeSpan.FromSeconds(1));
            await processor.ProcessAsync(batch, CancellationToken.None);
            await processor.FlushAsync(CancellationToken.None);
            var file = Assert.Single(Directory.GetFiles(Path.Combine(blocker, "request-log")));
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            using (var reader = new StreamReader(stream))
            {
                Assert.Equal(2, reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            }

            Assert.Single(errors.GetMeasurementSnapshot());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task File_KeepsFailing_BackoffGrows()
    {
        var root = Path.Combine(Path.GetTempPath(), "numo-retry-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var blocker = Path.Combine(root, "blocked");
        File.WriteAllText(blocker, "x");
        try
        {
            using var meterFactory = new PipelineTests.TestMeterFactory();
            var options = Options.Create(new NumoTelemetryOptions());
            options.Value.RequestLog.LoggerEnabled = false;
            options.Value.RequestLog.Directory = Path.Combine(blocker, "request-log");
            var metrics = new NumoTelemetryMetrics(meterFactory, options);
            using var errors = new MetricCollector<long>(meterFactory, NumoTelemetryMeter.Name, "numo.errors");
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
            using var processor = new RequestLogProcessor(options, NullLoggerFactory.Instance, metrics, time);
            var batch = new RequestRecord[] { Record(time) };

            await processor.ProcessAsync(batch, CancellationToken.None); // fails; retry in 1 s
            time.Advance(TimeSpan.FromSeconds(1));
            await processor.ProcessAsync(batch, CancellationToken.None); // fails; retry in 2 s
            time.Advance(TimeSpan.FromSeconds(1));
            await processor.ProcessAsync(batch, CancellationToken.None); // within backoff: not tried
            Assert.Equal(2, errors.GetMeasurementSnapshot().Count);
            time.Advance(TimeSpan.FromSeconds(1));
            await processor.ProcessAsync(batch, CancellationToken.None); // fails again
            Assert.Equal(3, errors.GetMeasurementSnapshot().Count);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static RequestRecord Record(TimeProvider time) => new()
    {
        Timestamp = time.GetUtcNow(),
        Method = "GET",
        Scheme = "https",
        Protocol = "HTTP/1.1",
        Route = "/",
        StatusCode = 200,
        UserAgent = UserAgentInfo.Empty,
    };
}
