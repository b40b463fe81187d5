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
                    writer.WriteLine(i, static (System.Text.Json.Utf8JsonWriter w, in int n) =>
                    {
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
                writer.WriteLine(0, static (System.Text.Json.Utf8JsonWriter w, in int _) => w.WriteStringValue("next day"));
                writer.Flush();
                Assert.Single(Directory.GetFiles(dir, "requests-20260102*.jsonl"));

                time.Advance(TimeSpan.FromDays(3));
                writer.WriteLine(0, static (System.Text.Json.Utf8JsonWriter w, in int _) => w.WriteStringValue("later"));
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
}
