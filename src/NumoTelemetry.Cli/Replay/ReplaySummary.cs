namespace NumoTelemetry.Cli.Replay;

/// <summary>What a replay did.</summary>
internal sealed record ReplaySummary(long Lines, long Replayed, IReadOnlyDictionary<string, long> Skipped, TimeSpan Elapsed, int Alerts, IReadOnlyDictionary<string, int> AlertsByRule)
{
    public double LinesPerSecond => Elapsed.TotalSeconds <= 0 ? Lines : Lines / Elapsed.TotalSeconds;
}
