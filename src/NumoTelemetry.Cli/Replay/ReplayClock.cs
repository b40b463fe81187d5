namespace NumoTelemetry.Cli.Replay;

/// <summary>
/// Simulated time for a replay: "now" is the timestamp of the line being replayed. Per thread, so the capture stage and the fraud stage
/// each see the time of the records they handle, and a replay gives the same alerts every time.
/// </summary>
internal sealed class ReplayClock : TimeProvider
{
    [ThreadStatic]
    private static DateTimeOffset t_now;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Set(DateTimeOffset now) => t_now = now;

    public override DateTimeOffset GetUtcNow() => t_now;

    public override long GetTimestamp() => t_now.UtcTicks;
}
