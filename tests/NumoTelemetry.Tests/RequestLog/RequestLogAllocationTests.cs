using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using NumoTelemetry.Records;
using NumoTelemetry.RequestLog;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Tests.RequestLog;

[Collection(AllocationCollection.Name)]
public class RequestLogAllocationTests
{
    [Fact]
    public void WriteLine_SteadyState_AllocatesNothingPerRecord()
    {
        var dir = Path.Combine(Path.GetTempPath(), "numo-alloc-" + Guid.NewGuid().ToString("N"));
        using var p = TestKeys.Pseudonymizer();
        var now = DateTimeOffset.UtcNow;
        var record = new RequestRecord
        {
            Timestamp = now,
            Duration = TimeSpan.FromMilliseconds(3.2),
            Method = "GET",
            Scheme = "https",
            Protocol = "HTTP/1.1",
            Route = "/products/{id}",
            StatusCode = 200,
            UserAgent = UserAgentInfo.Empty,
            Ip = p.Pseudonymize(PseudonymKind.Ip, "203.0.113.1", now),
            Session = p.Pseudonymize(PseudonymKind.Session, "s", now),

            // Enum-valued fields too: their names must not be formatted per record.
            Risk = new NumoRisk(72.5, RiskBand.Alert, "burst"),
            Crawler = CrawlerVerification.Verified,
            Geo = new GeoFacts { CountryIsoCode = "GB", Asn = 64500, Flags = NetworkFlags.Hosting | NetworkFlags.AnonymousVpn },
        };
        try
        {
            // The request log's own path (the file sink and its writer), and the general writer it mirrors.
            using var writer = new JsonLinesFileWriter(dir, "requests", 1L << 30, 7, new FakeTimeProvider(now));
            using var json = new RequestRecordJsonWriter();
            Utf8LineWriter<RequestRecord> line = (System.Buffers.IBufferWriter<byte> output, in RequestRecord r) => json.Write(output, in r);
            var general = new System.Buffers.ArrayBufferWriter<byte>(4096);
            using var generalWriter = new Utf8JsonWriter(general, new JsonWriterOptions { SkipValidation = true });
            void WriteBoth()
            {
                writer.WriteUtf8Line(record, line);
                general.ResetWrittenCount();
                generalWriter.Reset(general);
                RequestRecordJson.Write(generalWriter, record);
                generalWriter.Flush();
            }

            for (var i = 0; i < 1000; i++)
            {
                WriteBoth();
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                WriteBoth();
            }

            var perRecord = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0;
            Assert.True(perRecord < 1, $"{perRecord} B allocated per record");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Write_JsonIsValidAndHasNoAnalyticsVisitor()
    {
        using var p = TestKeys.Pseudonymizer();
        var now = DateTimeOffset.UtcNow;
        var record = new RequestRecord
        {
            Timestamp = now,
            Method = "GET",
            Scheme = "http",
            Protocol = "HTTP/2",
            Route = "/",
            UserAgent = UserAgentInfo.Empty,
            AnalyticsVisitor = p.Pseudonymize(PseudonymKind.Visitor, "v", now, PseudonymScope.Analytics),
        };
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            RequestRecordJson.Write(w, record);
        }

        var json = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("GET", doc.RootElement.GetProperty("method").GetString());
        Assert.DoesNotContain(record.AnalyticsVisitor.ToString(), json, StringComparison.Ordinal);
    }
}
