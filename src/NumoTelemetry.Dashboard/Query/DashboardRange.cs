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

    /// <summary>The longest custom range.</summary>
    public const int MaxCustomDays = 400;

    /// <summary>
    /// The local dates <paramref name="from"/> to <paramref name="to"/> (both included) in <paramref name="zone"/>. In
    /// UTC (or any zone whose midnights fall on UTC midnights) the range is of day buckets; otherwise of hour buckets
    /// while those are kept (<paramref name="hourRetentionDays"/>), else of the UTC days of the same dates
    /// (<see cref="AlignedToUtc"/>).
    /// </summary>
    public static DashboardRange Custom(DateOnly from, DateOnly to, TimeZoneInfo zone, DateTimeOffset now, int hourRetentionDays)
    {
        var start = LocalMidnight(from, zone);
        var end = LocalMidnight(to.AddDays(1), zone);
        if (start.UtcTicks % TimeSpan.TicksPerDay == 0 && end.UtcTicks % TimeSpan.TicksPerDay == 0)
        {
            return new DashboardRange("custom", DashboardGranularity.Day, start, end);
        }

        if (start >= now.AddDays(-hourRetentionDays))
        {
            var hourStart = new DateTimeOffset(start.UtcTicks - (start.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);
            var hourEnd = new DateTimeOffset(end.UtcTicks - (end.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);
            return new DashboardRange("custom", DashboardGranularity.Hour, hourStart, hourEnd);
        }

        return new DashboardRange("custom", DashboardGranularity.Day, Utc(from), Utc(to.AddDays(1))) { AlignedToUtc = true };
    }

    /// <summary>Whether a custom range in a zone other than UTC was read as UTC days (its hour buckets are no longer kept).</summary>
    public bool AlignedToUtc { get; init; }

    /// <summary>
    /// The period compared with this one: <c>previous</c> (the same length just before) or <c>year</c> (the same dates a
    /// year earlier, for ranges of day buckets only); <see langword="null"/> when not possible.
    /// </summary>
    public DashboardRange? Compared(string compare) => compare switch
    {
        "previous" => this with { From = From - (To - From), To = From },
        "year" when Granularity == DashboardGranularity.Day => this with { From = From.AddYears(-1), To = To.AddYears(-1) },
        _ => null,
    };

    private static DateTimeOffset Utc(DateOnly date) => new(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private static DateTimeOffset LocalMidnight(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30); // midnight skipped by a clock change: the day starts at the first valid time
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

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
