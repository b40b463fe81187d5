using System.Net;
using Microsoft.Extensions.Logging;
using NumoTelemetry.Records;

namespace NumoTelemetry.GeoIP;

/// <summary>
/// Owns the open databases and the lookup cache. <see cref="Lookup"/> is the hot path: a cache hit
/// allocates nothing. Databases are swapped atomically on reload; replaced readers are disposed after a
/// grace period, so a lookup in flight never sees a closed reader. The <see cref="GeoIPDatabaseScanner"/> finds and opens
/// the databases; the <see cref="GeoIPFileWatcher"/> calls <see cref="Reload"/> when their files change.
/// </summary>
internal sealed class GeoIPLookup : IDisposable
{
    private static readonly TimeSpan s_disposeGrace = TimeSpan.FromSeconds(30);

    private readonly GeoIPOptions _options;
    private readonly GeoIPDatabaseScanner _scanner;
    private readonly GeoIPFileWatcher? _watcher;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly GeoIPMetrics? _metrics;
    private readonly GeoFactsCache _cache;
    private readonly Action<GeoIPDatabase, Exception> _onError;
    private readonly Lock _gate = new();
    private readonly Lock _reloadGate = new();
    private GeoIPDatabaseSet? _current;
    private bool _disposed;
    private int _notStartedReported;

    public GeoIPLookup(GeoIPOptions options, string? contentRoot, ILogger logger, TimeProvider time, GeoIPMetrics? metrics)
    {
        _options = options;
        _scanner = new GeoIPDatabaseScanner(options, contentRoot, logger, metrics);
        _watcher = options.WatchForChanges ? new GeoIPFileWatcher(_scanner, options.ReloadDelay, logger, time, () => Reload()) : null;
        _logger = logger;
        _time = time;
        _metrics = metrics;
        _cache = new GeoFactsCache(options.CacheSize);
        _onError = OnLookupError;
    }

    /// <summary>The databases in use, or <see langword="null"/> before <see cref="Start"/>.</summary>
    public GeoIPDatabaseSet? Databases => Volatile.Read(ref _current);

    /// <summary>Whether at least one database is open.</summary>
    public bool IsEnabled => Volatile.Read(ref _current) is { IsEmpty: false };

    /// <summary>
    /// Opens the databases and starts watching for replaced files. A missing or broken database is a warning
    /// (that slot stays empty), or, when <see cref="GeoIPOptions.Required"/>, an <see cref="InvalidOperationException"/>
    /// naming the setting and the file.
    /// </summary>
    public void Start()
    {
        GeoIPDatabaseSet set;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_options.Enabled)
            {
                Volatile.Write(ref _current, new GeoIPDatabaseSet(new GeoIPDatabase?[GeoIPSlots.Count], 1));
                return;
            }

            set = _scanner.Build(previous: null, initial: true);
            Volatile.Write(ref _current, set);
        }

        if (set.IsEmpty)
        {
            Log.EnrichmentOff(_logger);
        }

        _watcher?.Start();
    }

    /// <summary>The facts of <paramref name="address"/>, or <see langword="null"/> when GeoIP is off. Never throws for bad data.</summary>
    public GeoFacts? Lookup(in ClientAddress address)
    {
        var set = Volatile.Read(ref _current);
        if (set is null)
        {
            ReportNotStarted();
            return null;
        }

        if (set.IsEmpty || !address.HasValue)
        {
            return null;
        }

        if (!_options.LookUpPrivateAddresses && address.IsPrivateOrLocal)
        {
            return GeoFacts.Unknown;
        }

        if (_cache.TryGet(address, set.Generation, out var facts))
        {
            return facts;
        }

        return Miss(address, set);
    }

    /// <summary>Looks up without the cache (tools and benchmarks).</summary>
    public GeoFacts LookupUncached(IPAddress ip)
    {
        var set = Volatile.Read(ref _current);
        return set is null || set.IsEmpty ? GeoFacts.Unknown : set.Lookup(ip, _onError);
    }

    /// <summary>
    /// Reopens databases whose files changed, verifies every reopened file (the whole search tree and data
    /// section, on the calling thread: the reload timer's, never a request's) and swaps the new set in. Never throws:
    /// a replacement that fails to open or verify is logged (<c>GeoIPReloadFailed</c>), counted
    /// (<c>numo.geoip.reloads{numo.outcome=failure}</c>) and the previous database of that slot stays in use.
    /// </summary>
    /// <returns>Whether a new set was swapped in.</returns>
    public bool Reload()
    {
        lock (_reloadGate)
        {
            GeoIPDatabaseSet? old;
            lock (_gate)
            {
                if (_disposed)
                {
                    return false;
                }

                old = Volatile.Read(ref _current);
            }

            GeoIPDatabaseSet set;
            try
            {
                set = _scanner.Build(old, initial: false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.ReloadFailed(_logger, "NumoTelemetry:GeoIP", ex.GetType().Name + ": " + ex.Message);
                _metrics?.Reload(success: false);
                return false;
            }

            if (old is not null && SameDatabases(old, set))
            {
                return false;
            }

            lock (_gate)
            {
                if (_disposed)
                {
                    DisposeNotIn(set, old);
                    return false;
                }

                Volatile.Write(ref _current, set);
            }

            _metrics?.Reload(success: true);
            Log.Reloaded(_logger, set.Generation);
            if (old is not null)
            {
                _ = DisposeReplacedAsync(old, set);
            }

            return true;
        }
    }

    public void Dispose()
    {
        GeoIPDatabaseSet? set;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            set = Volatile.Read(ref _current);
            Volatile.Write(ref _current, null);
        }

        _watcher?.Dispose();
        if (set is not null)
        {
            foreach (var db in set.Slots)
            {
                db?.Dispose();
            }
        }
    }

    /// <summary>
    /// A lookup before <see cref="Start"/>: the host never ran the GeoIP hosted service (a container built without a host, a tool
    /// that skipped start-up), so nothing is ever enriched. Warned once; silent after <see cref="Dispose"/> (requests in flight at
    /// shutdown).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void ReportNotStarted()
    {
        if (!Volatile.Read(ref _disposed) && Interlocked.Exchange(ref _notStartedReported, 1) == 0)
        {
            Log.NotStarted(_logger);
        }
    }

    private GeoFacts Miss(in ClientAddress address, GeoIPDatabaseSet set)
    {
        _metrics?.CacheMiss();
        var ip = address.ToIPAddress();
        var facts = ip is null ? GeoFacts.Unknown : set.Lookup(ip, _onError);
        _cache.Set(address, set.Generation, facts);
        return facts;
    }

    private void OnLookupError(GeoIPDatabase database, Exception exception)
    {
        // The exception message is not logged: a reader's message may quote the address it was given.
        _metrics?.Error(database.DatabaseType);
        if (database.ShouldReportError())
        {
            Log.LookupFailed(_logger, database.Path, exception.GetType().Name);
        }
    }

    private static bool SameDatabases(GeoIPDatabaseSet a, GeoIPDatabaseSet b)
    {
        for (var i = 0; i < GeoIPSlots.Count; i++)
        {
            if (!ReferenceEquals(a.Slots[i], b.Slots[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static void DisposeNotIn(GeoIPDatabaseSet set, GeoIPDatabaseSet? keep)
    {
        foreach (var db in set.Slots)
        {
            if (db is not null && (keep is null || !keep.Slots.Contains(db)))
            {
                db.Dispose();
            }
        }
    }

    private async Task DisposeReplacedAsync(GeoIPDatabaseSet old, GeoIPDatabaseSet current)
    {
        try
        {
            await Task.Delay(s_disposeGrace, _time).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
        }

        for (var i = 0; i < GeoIPSlots.Count; i++)
        {
            if (old.Slots[i] is { } db && !ReferenceEquals(db, current.Slots[i]))
            {
                db.Dispose();
            }
        }
    }
}
