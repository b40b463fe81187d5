using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using NumoTelemetry.RequestLog;

namespace NumoTelemetry.Tests.RequestLog;

public class JsonLinesFileWriterTests
{
    [Fact]
    public void WriteLine_RotatesBySizeAndDay_AndPurgesOldFiles()
    {
        var dir = Path.Combine(Path.GetTempPath(), "numo-jl-" + Guid.NewGuid().ToString("N"));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.Zero));
        try
        {
            using (var writer = new JsonLinesFileWriter(dir, "requests", 4096, 2, time))
            {
                for (var i = 0; i < 200; i++)
                {
                    writer.WriteUtf8Line(i, static (System.Buffers.IBufferWriter<byte> output, in int n) =>
                    {
                        using var w = new System.Text.Json.Utf8JsonWriter(output);
                        w.WriteStartObject();
                        w.WriteString("padding", new string('x', 50));
                        w.WriteNumber("n", n);
                        w.WriteEndObject();
                    });
                }

                writer.Flush();
                var firstDay = Directory.GetFiles(dir, "requests-20260101*.jsonl");
                Assert.True(firstDay.Length >= 3, "size rotation did not happen");
                Assert.All(firstDay, f => Assert.True(new FileInfo(f).Length <= 4096 + 200));
                var lines = firstDay.SelectMany(File.ReadAllLines).ToList();
                Assert.Equal(200, lines.Count);
                Assert.All(lines, l => System.Text.Json.JsonDocument.Parse(l).Dispose());

                time.Advance(TimeSpan.FromDays(1));
                writer.WriteUtf8Line(0, static (System.Buffers.IBufferWriter<byte> output, in int _) => output.Write("\"next day\""u8));
                writer.Flush();
                Assert.Single(Directory.GetFiles(dir, "requests-20260102*.jsonl"));

                time.Advance(TimeSpan.FromDays(3));
                writer.WriteUtf8Line(0, static (System.Buffers.IBufferWriter<byte> output, in int _) => output.Write("\"later\""u8));
                writer.Flush();
            }

            Assert.Empty(Directory.GetFiles(dir, "requests-20260101*.jsonl"));
            Assert.Single(Directory.GetFiles(dir, "requests-20260105*.jsonl"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void WriteUtf8Line_NewFileUnderUsualUmask_IsReadableByItsOwnerOnly()
    {
        // The request log holds fraud pseudonyms stable for the fraud window (one person's trail); under umask 022 it is
        // created 0644, readable by every user of the machine.
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes
        }

        var dir = Path.Combine(Path.GetTempPath(), "numo-jl-" + Guid.NewGuid().ToString("N"));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.Zero));
        try
        {
            using (var writer = new JsonLinesFileWriter(dir, "requests", 4096, 2, time))
            {
                writer.WriteUtf8Line(0, static (System.Buffers.IBufferWriter<byte> output, in int _) => output.Write("\"line\""u8));
                writer.Flush();
            }

            var file = Assert.Single(Directory.GetFiles(dir, "requests-*.jsonl"));
            var mode = File.GetUnixFileMode(file);
            Assert.True((mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) == 0, $"{Path.GetFileName(file)} is {mode}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void WriteUtf8Line_ManyRotations_NoNewBufferPerFile_AndNoLineLost()
    {
        var dir = Path.Combine(Path.GetTempPath(), "numo-jl-" + Guid.NewGuid().ToString("N"));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.Zero));
        try
        {
            using (var writer = new JsonLinesFileWriter(dir, "requests", 4096, 2, time))
            {
                // The first file's opening (directory, purge) is not what is measured.
                writer.WriteUtf8Line(0, Line);
                var before = GC.GetAllocatedBytesForCurrentThread();
                for (var i = 1; i < 1000; i++)
                {
                    writer.WriteUtf8Line(i, Line);
                }

                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                writer.Flush();
                var files = Directory.GetFiles(dir, "requests-20260101*.jsonl");
                Assert.True(files.Length >= 20, $"{files.Length} files");

                // Opening a file costs its stream and path (a few hundred bytes), never a new 64 KiB buffer.
                Assert.True(allocated / files.Length < 4096, $"{allocated / files.Length} B per file");
                var numbers = files.SelectMany(File.ReadAllLines).Select(l => int.Parse(l.AsSpan(5, l.IndexOf(',') - 5), System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
                Assert.Equal(Enumerable.Range(0, 1000), numbers);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        static void Line(System.Buffers.IBufferWriter<byte> output, in int n)
        {
            // {"n":123,"p":"xxx...x"}: about 120 bytes.
            var span = output.GetSpan(256);
            "{\"n\":"u8.CopyTo(span);
            System.Buffers.Text.Utf8Formatter.TryFormat(n, span[5..], out var digits);
            var at = 5 + digits;
            ",\"p\":\""u8.CopyTo(span[at..]);
            at += 6;
            span.Slice(at, 100).Fill((byte)'x');
            at += 100;
            "\"}"u8.CopyTo(span[at..]);
            output.Advance(at + 2);
        }
    }
}
