using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Records;

namespace NumoTelemetry.Alerts;

/// <summary>Alerts to a Slack incoming webhook (<c>NumoTelemetry:Alerts:Slack:Url</c>): <c>text</c> and Block Kit <c>blocks</c>.</summary>
internal sealed class SlackAlertSink : ChatAlertSink
{
    public SlackAlertSink(IOptions<NumoTelemetryOptions> options, AlertMetrics metrics, ILoggerFactory loggerFactory, TimeProvider time)
        : this(options, metrics, loggerFactory, time, null)
    {
    }

    internal SlackAlertSink(IOptions<NumoTelemetryOptions> options, AlertMetrics metrics, ILoggerFactory loggerFactory, TimeProvider time, HttpMessageHandler? handler)
        : base("slack", options.Value.Alerts.Slack, options.Value.Alerts, metrics, loggerFactory.CreateLogger<SlackAlertSink>(), time, handler)
    {
    }

    protected override byte[] FormatAlert(FraudAlert alert, string? link) => ChatMessages.SlackAlert(alert, link);

    protected override byte[] FormatDigest(AlertDigest digest, Uri? workspace) => ChatMessages.SlackDigest(digest, workspace);
}
