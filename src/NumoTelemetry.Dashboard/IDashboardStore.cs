namespace NumoTelemetry.Dashboard;

/// <summary>
/// Where the dashboard's aggregates live. The default is an embedded SQLite file; a fleet can register a shared
/// server store instead (register it before <c>AddDashboard</c>). Writes come from the background pipeline only,
/// in batches; reads come from dashboard requests.
/// </summary>
public interface IDashboardStore
{
    /// <summary>Adds a batch of cells: counters of an existing key are added, sketches merged. One transaction.</summary>
    ValueTask WriteAsync(IReadOnlyList<DashboardCell> cells, CancellationToken cancellationToken);

    /// <summary>Reads the cells selected by <paramref name="query"/>, ordered by bucket start.</summary>
    ValueTask<IReadOnlyList<DashboardCell>> ReadAsync(DashboardCellQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes the cells of <paramref name="granularity"/> whose bucket starts before <paramref name="cutoff"/>; returns how many.</summary>
    ValueTask<int> PurgeAsync(DashboardGranularity granularity, DateTimeOffset cutoff, CancellationToken cancellationToken);

    /// <summary>Stores fraud alerts for the fraud overview (rule, severity, score, subject kind and pseudonym; no raw value).</summary>
    ValueTask AppendAlertsAsync(IReadOnlyList<DashboardAlert> alerts, CancellationToken cancellationToken);

    /// <summary>The alerts since <paramref name="since"/>, newest first, at most <paramref name="max"/>.</summary>
    ValueTask<IReadOnlyList<DashboardAlert>> ReadAlertsAsync(DateTimeOffset since, int max, CancellationToken cancellationToken);

    /// <summary>Deletes alerts older than <paramref name="cutoff"/>; returns how many.</summary>
    ValueTask<int> PurgeAlertsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
