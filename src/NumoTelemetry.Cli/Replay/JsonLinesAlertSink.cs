using System.Text.Json;
using NumoTelemetry.Alerts;

namespace NumoTelemetry.Cli.Replay;

/// <summary>Writes each alert as one JSON line to a stream (stdout) and counts alerts by rule.</summary>
internal sealed class JsonLinesAlertSink(Stream output) : IAlertSink, IDisposable
{
    private readonly Utf8JsonWriter _writer = new(output, new JsonWriterOptions { SkipValidation = true });

    public SortedDictionary<string, int> ByRule { get; } = new(StringComparer.Ordinal);

    public int Count { get; private set; }

    public void Publish(FraudAlert alert)
    {
        alert.WriteTo(_writer);
        _writer.Flush();
        _writer.Reset();
        output.WriteByte((byte)'\n');
        Count++;
        ByRule[alert.Rule] = ByRule.TryGetValue(alert.Rule, out var n) ? n + 1 : 1;
    }

    public void Flush()
    {
        _writer.Flush();
        output.Flush();
    }

    public void Dispose() => _writer.Dispose();
}
