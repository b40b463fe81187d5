using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud;
using NumoTelemetry.Records;
using OpenTelemetry.Logs;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>Alerts through the OpenTelemetry logging provider: one OTel log record per alert, with the alert's fields under stable attribute names.</summary>
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
        [new("failedLogins", 40), new("distinctAccounts", 38), new("country", "NL")]);

    private static List<LogRecord> Publish(FraudAlert alert, Uri? workspace = null)
    {
        var exported = new List<LogRecord>();
        using (var factory = LoggerFactory.Create(b => b.AddOpenTelemetry(o => o.AddInMemoryExporter(exported))))
        {
            var options = new NumoTelemetryOptions();
            options.Alerts.WorkspaceUrl = workspace;
            var sink = new LoggerAlertSink(factory, Options.Create(options));
            sink.Publish(alert);
        }

        return exported;
    }

    [Fact]
    public void Publish_WithOpenTelemetryLogging_ExportsALogRecordWithStableAttributeNames()
    {
        var record = Assert.Single(Publish(Alert(), new Uri("https://shop.example/numo/")));
        Assert.Equal(LoggerAlertSink.CategoryName, record.CategoryName);
        Assert.Equal(LogLevel.Warning, record.LogLevel);
        Assert.Equal(1000, record.EventId.Id);
        Assert.Equal("FraudAlert", record.EventId.Name);
        var attributes = record.Attributes!.ToDictionary(a => a.Key, a => a.Value);
        Assert.Equal(ReasonCodes.CredentialStuffing, attributes["numo.alert.rule"]);
        Assert.Equal("alert", attributes["numo.alert.severity"]);
        Assert.Equal(72.5, attributes["numo.alert.score"]);
        Assert.Equal("ip", attributes["numo.alert.subject_kind"]);
        Assert.Equal("k1.AAECAwQFBgcICQoLDA0ODw", attributes["numo.alert.subject"]);
        Assert.Equal(41L, attributes["numo.alert.count"]);
        Assert.Equal("2026-03-02T06:00:00.000Z", attributes["numo.alert.first_seen"]);
        Assert.Equal("2026-03-02T06:03:00.000Z", attributes["numo.alert.last_seen"]);
        Assert.Equal("a1b2c3", attributes["numo.alert.id"]);
        Assert.Equal(1, attributes["numo.alert.sequence"]);
        Assert.Equal([ReasonCodes.CredentialStuffing], (string[])attributes["numo.alert.reasons"]!);
        Assert.Equal("https://shop.example/numo/fraud/#/alert/a1b2c3", attributes["numo.alert.url"]);
        Assert.Equal(40.0, attributes["numo.alert.evidence.failedLogins"]);
        Assert.Equal("NL", attributes["numo.alert.evidence.country"]);
        Assert.Contains("\"failedLogins\":40", (string)attributes["numo.alert.json"]!, StringComparison.Ordinal);
        Assert.Equal(AlertLogAttributes.Rule, "numo.alert.rule");
        Assert.StartsWith("Fraud alert {numo.alert.rule}", record.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_WithoutWorkspaceUrl_HasNoUrlAttribute()
    {
        var record = Assert.Single(Publish(Alert()));
        Assert.DoesNotContain(record.Attributes!, a => a.Key == AlertLogAttributes.Url);
    }

    [Fact]
    public void Publish_PageBand_OneLevelHigher()
    {
        var record = Assert.Single(Publish(Alert(RiskBand.Page)));
        Assert.Equal(LogLevel.Error, record.LogLevel);
    }
}
