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

    /// <summary>
    /// The secret of UTC day <paramref name="day"/> under which pseudonyms are hashed before they enter that day's
    /// sketches: the stored one, else <paramref name="candidate"/>, stored (insert if absent, so every writer sharing
    /// the store gets the same secret). Keep it apart from the cells and delete it for good in
    /// <see cref="DeleteDaySecretsAsync"/>: while it exists, whoever holds a pseudonym can test which of that day's
    /// cells its person is in. The default keeps nothing and returns <paramref name="candidate"/>: each process then
    /// has its own secret, so a restart within a day, or a second node, counts a returning visitor again that day.
    /// </summary>
    ValueTask<byte[]> GetOrAddDaySecretAsync(DateOnly day, byte[] candidate, CancellationToken cancellationToken) =>
        ValueTask.FromResult(candidate);

    /// <summary>Deletes the secrets of the days before <paramref name="before"/>, leaving no copy behind; returns how many.</summary>
    ValueTask<int> DeleteDaySecretsAsync(DateOnly before, CancellationToken cancellationToken) => ValueTask.FromResult(0);

    /// <summary>
    /// Adds a share link's id to the revocation list, kept until <paramref name="expires"/> (the link is refused after
    /// that anyway). Stores that do not keep a revocation list throw <see cref="NotSupportedException"/>, and the
    /// dashboard then issues no share links.
    /// </summary>
    ValueTask RevokeShareLinkAsync(string id, DateTimeOffset expires, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This dashboard store keeps no share-link revocation list.");

    /// <summary>Whether the share link <paramref name="id"/> was revoked (see <see cref="RevokeShareLinkAsync"/>).</summary>
    ValueTask<bool> IsShareLinkRevokedAsync(string id, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This dashboard store keeps no share-link revocation list.");

    /// <summary>
    /// The alerts whose subject is one of <paramref name="subjects"/> (pseudonym texts), oldest first: a person's export
    /// (<c>numo subject export</c>). The default reads every alert kept and filters them.
    /// </summary>
    async ValueTask<IReadOnlyList<DashboardAlert>> ReadAlertsOfSubjectsAsync(IReadOnlySet<string> subjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var all = await ReadAlertsAsync(DateTimeOffset.MinValue, int.MaxValue, cancellationToken).ConfigureAwait(false);
        var found = new List<DashboardAlert>();
        for (var i = all.Count - 1; i >= 0; i--)
        {
            if (all[i].Subject is { } subject && subjects.Contains(subject))
            {
                found.Add(all[i]);
            }
        }

        return found;
    }

    /// <summary>
    /// Deletes the alerts whose subject is one of <paramref name="subjects"/> (a person's erasure); returns how many. A store that
    /// cannot delete single alerts throws <see cref="NotSupportedException"/>.
    /// </summary>
    ValueTask<int> DeleteAlertsOfSubjectsAsync(IReadOnlySet<string> subjects, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} cannot erase single alerts.");
}
