using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud;
using NumoTelemetry.Records;
using OpenTelemetry.Logs;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>Alerts through the OpenTelemetry logging provider: one OTel log record per alert, with the alert's fields as attributes.</summary>
public sealed class OpenTelemetryAlertLogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);

    private static FraudAlert Alert(RiskBand band = RiskBand.Alert) => new(
        "a1b2c3",
        ReasonCodes.CredentialStuffing,
        band,
        72.5,
        "ip",
        "k1.AAECAwQFBgcICQoLDA0ODw",
        T0,
        T0.AddMinutes(3),
        41,
        [new FraudReason(ReasonCodes.CredentialStuffing, 72.5)],
        [new("failedLogins", 40), new("distinctAccounts", 38)]);

    private static List<LogRecord> Publish(FraudAlert alert)
    {
        var exported = new List<LogRecord>();
        using (var factory = LoggerFactory.Create(b => b.AddOpenTelemetry(o => o.AddInMemoryExporter(exported))))
        {
            var sink = new LoggerAlertSink(factory, Options.Create(new NumoTelemetryOptions()));
            sink.Publish(alert);
        }

        return exported;
    }

    [Fact]
    public void Publish_WithOpenTelemetryLogging_ExportsALogRecordWithStructuredAttributes()
    {
        var record = Assert.Single(Publish(Alert()));
        Assert.Equal(LoggerAlertSink.CategoryName, record.CategoryName);
        Assert.Equal(LogLevel.Warning, record.LogLevel);
        Assert.Equal(1000, record.EventId.Id);
        Assert.Equal("FraudAlert", record.EventId.Name);
        var attributes = record.Attributes!.ToDictionary(a => a.Key, a => a.Value);
        Assert.Equal(ReasonCodes.CredentialStuffing, attributes["Rule"]);
        Assert.Equal("alert", attributes["Severity"]);
        Assert.Equal(72.5, attributes["Score"]);
        Assert.Equal("ip", attributes["SubjectKind"]);
        Assert.Equal("k1.AAECAwQFBgcICQoLDA0ODw", attributes["Subject"]);
        Assert.Equal(41L, attributes["Count"]);
        Assert.Equal(T0, attributes["FirstSeen"]);
        Assert.Equal(T0.AddMinutes(3), attributes["LastSeen"]);
        Assert.Equal("a1b2c3", attributes["AlertId"]);
        Assert.Contains("\"failedLogins\":40", (string)attributes["AlertJson"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_PageBand_OneLevelHigher()
    {
        var record = Assert.Single(Publish(Alert(RiskBand.Page)));
        Assert.Equal(LogLevel.Error, record.LogLevel);
    }
}
