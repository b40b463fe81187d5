using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NumoTelemetry.Metrics;
using NumoTelemetry.Records;
using NumoTelemetry.RequestLog;
using NumoTelemetry.Tests.Pipeline;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Tests.RequestLog;

/// <summary>
/// The request-log file sink under the faults of a real file system: a full disk (a tiny tmpfs), the file deleted, moved
/// away or truncated in place under the running writer. Every record sent is either a whole JSON line in a file or counted
/// in <c>numo.pipeline.records.dropped{numo.reason=request_log_file}</c>.
/// </summary>
public sealed class RequestLogFaultTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "numo-fault-" + Guid.NewGuid().ToString("N"));
    private readonly PipelineTests.TestMeterFactory _meterFactory = new();
    private readonly MetricCollector<long> _dropped;
    private readonly MetricCollector<long> _errors;
    private readonly FakeLogCollector _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly NumoTelemetryMetrics _metrics;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private int _sent;

    public RequestLogFaultTests()
    {
        Directory.CreateDirectory(_root);
        _dropped = new MetricCollector<long>(_meterFactory, NumoTelemetryMeter.Name, "numo.pipeline.records.dropped");
        _errors = new MetricCollector<long>(_meterFactory, NumoTelemetryMeter.Name, "numo.errors");
        _loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(_logs)));

        // One metrics object for every processor of a test: a MetricCollector follows the first instrument it finds.
        _metrics = new NumoTelemetryMetrics(_meterFactory, Options.Create(new NumoTelemetryOptions()));
    }

    public void Dispose()
    {
        _dropped.Dispose();
        _errors.Dispose();
        _meterFactory.Dispose();
        _loggerFactory.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [TmpfsFact]
    public async Task File_DiskFull_NoHalfLineEveryRecordWrittenOrCounted_AndWritingResumes()
    {
        using var tmpfs = Tmpfs.Mount(Path.Combine(_root, "small-disk"), 256 * 1024);
        var filler = Path.Combine(tmpfs.Path, "filler");
        File.WriteAllBytes(filler, new byte[150 * 1024]); // about 100 KiB left: one 64 KiB write fits, the next one half
        var directory = Path.Combine(tmpfs.Path, "request-log");
        using (var processor = Processor(directory))
        {
            // Fill the disk: a 64 KiB write runs out of space part of the way through.
            for (var i = 0; i < 200 && Errors() == 0; i++)
            {
                await Send(processor, 20);
            }

            Assert.Equal(1, Errors());
            Assert.True(Dropped() > 0, "nothing was lost to the full disk: the test did not fill it");

            // Still full: within the backoff the records are counted and skipped; the retry after it fails again.
            await Send(processor, 20);
            _time.Advance(TimeSpan.FromSeconds(1));
            await Send(processor, 20);
            Assert.Equal(2, Errors());
            await processor.FlushAsync(CancellationToken.None);

            // Space returns: after the backoff the file sink works again, at the next flush even without traffic
            // (the lines of the failed write go first).
            File.Delete(filler);
            _time.Advance(TimeSpan.FromSeconds(2));
            await processor.FlushAsync(CancellationToken.None);
            Assert.Single(_logs.GetSnapshot(), r => r.Id.Name == "RequestLogFileRecovered");
            await Send(processor, 20);
            await processor.FlushAsync(CancellationToken.None);
            await Send(processor, 20);
            await processor.FlushAsync(CancellationToken.None);
            Assert.Equal(2, Errors());

            var events = _logs.GetSnapshot().Select(r => r.Id.Name).ToList();
            Assert.Single(events, e => e == "RequestLogFileFailed");
            Assert.Single(events, e => e == "RequestLogFileRecovered");
            var numbers = ReadLines(directory);
            Assert.Contains(_sent - 1, numbers); // the last record after recovery is in the file
            Assert.Equal(_sent, numbers.Count + Dropped());
        }

        // Full again at shutdown: the lines still buffered cannot be written, and are counted.
        using (var processor = Processor(directory))
        {
            await Send(processor, 20);
            await processor.FlushAsync(CancellationToken.None);
            FillUp(filler);
            await Send(processor, 20);
        }

        Assert.Equal(_sent, ReadLines(directory).Count + Dropped());
        Assert.Single(_logs.GetSnapshot(), r => r.Id.Name == "RequestLogFileLinesLost");
    }

    [Fact]
    public async Task File_DeletedMidRun_LaterRecordsGoToANewFileAtItsPath()
    {
        var directory = Path.Combine(_root, "request-log");
        using var processor = Processor(directory);
        await Send(processor, 10);
        await processor.FlushAsync(CancellationToken.None);
        var path = processor.CurrentFilePath!;
        File.Delete(path);

        await Send(processor, 10);
        await processor.FlushAsync(CancellationToken.None);

        Assert.True(File.Exists(path), "no file at the log's path after it was deleted");
        Assert.Equal(Enumerable.Range(10, 10), ReadLines(directory));
        Assert.Equal(0, Dropped());
        Assert.Single(_logs.GetSnapshot(), r => r.Id.Name == "RequestLogFileReopened");
    }

    [Fact]
    public async Task File_MovedAwayLikeLogrotate_LaterRecordsGoToANewFileAtItsPath()
    {
        var directory = Path.Combine(_root, "request-log");
        using var processor = Processor(directory);
        await Send(processor, 10);
        await processor.FlushAsync(CancellationToken.None);
        var path = processor.CurrentFilePath!;
        File.Move(path, path + ".1");

        await Send(processor, 10);
        await processor.FlushAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 10), Numbers(File.ReadAllLines(path + ".1")));
        Assert.True(File.Exists(path), "no file at the log's path after it was moved away");
        Assert.Equal(Enumerable.Range(10, 10), Numbers(File.ReadAllLines(path)));
        Assert.Equal(0, Dropped());
    }

    [Fact]
    public async Task File_DeletedUnderLoad_LinesWrittenToTheDeletedFileAreCounted()
    {
        var directory = Path.Combine(_root, "request-log");
        using var processor = Processor(directory);
        await Send(processor, 10);
        await processor.FlushAsync(CancellationToken.None);
        var path = processor.CurrentFilePath!;
        File.Delete(path);

        // Full batches and no flush (a busy site): several 64 KiB writes go to the deleted file before the next check.
        for (var i = 0; i < 10; i++)
        {
            await Send(processor, 100);
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        await Send(processor, 100);

        Assert.True(File.Exists(path), "no file at the log's path a second after it was deleted, with no flush");
        await processor.FlushAsync(CancellationToken.None);
        var numbers = ReadLines(directory);
        Assert.True(Dropped() > 0, "the lines written to the deleted file were not counted");
        Assert.Equal(_sent - 10, numbers.Count + Dropped());
        Assert.Contains(_sent - 1, numbers);
    }

    [Fact]
    public async Task File_TruncatedInPlaceLikeCopytruncate_NextLinesStartAtTheNewEnd()
    {
        var directory = Path.Combine(_root, "request-log");
        using var processor = Processor(directory);
        await Send(processor, 10);
        await processor.FlushAsync(CancellationToken.None);
        var path = processor.CurrentFilePath!;
        File.Copy(path, path + ".1");
        using (var truncate = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            truncate.SetLength(0);
        }

        await Send(processor, 10);
        await processor.FlushAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(10, 10), Numbers(File.ReadAllLines(path)));
        Assert.Equal(0, Dropped());
    }

    [Fact]
    public void WriteUtf8Line_FileEndsInAHalfLine_TheHalfLineIsCutBeforeAppending()
    {
        // A half line left behind by a crash (or a truncation that failed): the next line must not be glued onto it.
        var directory = Path.Combine(_root, "request-log");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "requests-20261125.jsonl");
        File.WriteAllText(path, "{\"n\":0}\n{\"n\":1,\"route\":\"/ha");
        using (var writer = new JsonLinesFileWriter(directory, "requests", 1 << 20, 7, _time))
        {
            writer.WriteUtf8Line(2, static (System.Buffers.IBufferWriter<byte> output, in int n) => output.Write("{\"n\":2}"u8));
        }

        Assert.Equal(["{\"n\":0}", "{\"n\":2}"], File.ReadAllLines(path));
    }

    [Fact]
    public void WriteUtf8Line_LineWriterThrowsHalfWay_NoHalfLineInTheFile()
    {
        var directory = Path.Combine(_root, "request-log");
        using (var writer = new JsonLinesFileWriter(directory, "requests", 1 << 20, 7, _time))
        {
            writer.WriteUtf8Line(0, static (System.Buffers.IBufferWriter<byte> output, in int n) => output.Write("{\"n\":0}"u8));
            Assert.Throws<InvalidOperationException>(() => writer.WriteUtf8Line(1, static (System.Buffers.IBufferWriter<byte> output, in int n) =>
            {
                output.Write("{\"n\":1,\"ro"u8);
                throw new InvalidOperationException("formatting failed");
            }));
            writer.WriteUtf8Line(2, static (System.Buffers.IBufferWriter<byte> output, in int n) => output.Write("{\"n\":2}"u8));
        }

        Assert.Equal(["{\"n\":0}", "{\"n\":2}"], File.ReadAllLines(Assert.Single(Directory.GetFiles(directory))));
    }

    private RequestLogProcessor Processor(string directory)
    {
        var options = Options.Create(new NumoTelemetryOptions());
        options.Value.RequestLog.LoggerEnabled = false;
        options.Value.RequestLog.Directory = directory;
        return new RequestLogProcessor(options, _loggerFactory, _metrics, _time);
    }

    /// <summary>Sends <paramref name="count"/> records numbered on from the last, with routes of varying length.</summary>
    private async Task Send(RequestLogProcessor processor, int count)
    {
        var batch = new RequestRecord[count];
        for (var i = 0; i < count; i++)
        {
            var n = _sent++;
            batch[i] = new RequestRecord
            {
                Timestamp = _time.GetUtcNow(),
                Method = "GET",
                Scheme = "https",
                Protocol = "HTTP/1.1",
                Route = "/r/" + n.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/" + new string('x', 50 + (n * 37 % 300)),
                StatusCode = 200,
                UserAgent = UserAgentInfo.Empty,
            };
        }

        await processor.ProcessAsync(batch, CancellationToken.None);
    }

    private long Errors() => _errors.GetMeasurementSnapshot().Where(m => (string?)m.Tags["numo.stage"] == "request_log_file").Sum(m => m.Value);

    private long Dropped() => _dropped.GetMeasurementSnapshot().Where(m => (string?)m.Tags["numo.reason"] == "request_log_file").Sum(m => m.Value);

    /// <summary>The record numbers of every line of every file (each line must be a whole JSON object), no number twice.</summary>
    private static List<int> ReadLines(string directory)
    {
        var lines = new List<string>();
        foreach (var file in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file);
            Assert.True(text.Length == 0 || text[^1] == '\n', $"{file} ends in a half line");
            lines.AddRange(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        var numbers = Numbers(lines);
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
        return numbers;
    }

    private static List<int> Numbers(IEnumerable<string> lines) => lines.Select(line =>
    {
        using var doc = JsonDocument.Parse(line);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        var route = doc.RootElement.GetProperty("route").GetString()!;
        return int.Parse(route.AsSpan(3, route.IndexOf('/', 3) - 3), System.Globalization.CultureInfo.InvariantCulture);
    }).ToList();

    private static void FillUp(string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        var chunk = new byte[4096];
        try
        {
            while (true)
            {
                stream.Write(chunk);
            }
        }
        catch (IOException)
        {
            // full
        }
    }
}
