namespace NumoTelemetry.Dashboard.Query;

/// <summary>A named range (<c>1h</c>, <c>24h</c>, <c>7d</c>, <c>30d</c>, <c>90d</c>) resolved to aligned buckets.</summary>
internal sealed record DashboardRange(string Name, DashboardGranularity Granularity, DateTimeOffset From, DateTimeOffset To)
{
    public static readonly string[] Names = ["1h", "24h", "7d", "30d", "90d"];

    public TimeSpan Step => Granularity switch
    {
        DashboardGranularity.Minute => TimeSpan.FromMinutes(1),
        DashboardGranularity.Hour => TimeSpan.FromHours(1),
        _ => TimeSpan.FromDays(1),
    };

    /// <summary>Resolves a range name at <paramref name="now"/>; unknown names give <see langword="null"/>.</summary>
    public static DashboardRange? Resolve(string? name, DateTimeOffset now) => (name ?? "24h") switch
    {
        "1h" => Build("1h", DashboardGranularity.Minute, 60, now),
        "24h" => Build("24h", DashboardGranularity.Hour, 24, now),
        "7d" => Build("7d", DashboardGranularity.Hour, 24 * 7, now),
        "30d" => Build("30d", DashboardGranularity.Day, 30, now),
        "90d" => Build("90d", DashboardGranularity.Day, 90, now),
        _ => null,
    };

    /// <summary>The last <paramref name="minutes"/> minutes, up to and including the current one.</summary>
    public static DashboardRange LastMinutes(int minutes, DateTimeOffset now) => Build("live", DashboardGranularity.Minute, minutes, now);

    private static DashboardRange Build(string name, DashboardGranularity granularity, int buckets, DateTimeOffset now)
    {
        var step = granularity switch
        {
            DashboardGranularity.Minute => TimeSpan.TicksPerMinute,
            DashboardGranularity.Hour => TimeSpan.TicksPerHour,
            _ => TimeSpan.TicksPerDay,
        };
        var ticks = now.UtcTicks;
        var to = new DateTimeOffset(ticks - (ticks % step) + step, TimeSpan.Zero);
        return new DashboardRange(name, granularity, to.AddTicks(-step * buckets), to);
    }
}
