namespace NumoTelemetry.Cli.Replay;

/// <summary>
/// What a replay did. Every line read is replayed or skipped for one reason: <see cref="Lines"/> = <see cref="Replayed"/> +
/// <see cref="SkippedTotal"/>. <see cref="ReadError"/>: the input failed part way (the counts cover what was read).
/// </summary>
internal sealed record ReplaySummary(long Lines, long Replayed, IReadOnlyDictionary<string, long> Skipped, TimeSpan Elapsed, int Alerts, IReadOnlyDictionary<string, int> AlertsByRule, string? ReadError = null)
{
    public double LinesPerSecond => Elapsed.TotalSeconds <= 0 ? Lines : Lines / Elapsed.TotalSeconds;

    /// <summary>The sum of the skip reasons.</summary>
    public long SkippedTotal
    {
        get
        {
            long total = 0;
            foreach (var count in Skipped.Values)
            {
                total += count;
            }

            return total;
        }
    }
}
