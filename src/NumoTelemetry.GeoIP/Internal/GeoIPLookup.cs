using System.Net;
using Microsoft.Extensions.Logging;
using NumoTelemetry.Records;

namespace NumoTelemetry.GeoIP;

/// <summary>
/// Owns the open databases and the lookup cache. <see cref="Lookup"/> is the hot path: a cache hit
/// allocates nothing. Databases are swapped atomically on reload; replaced readers are disposed after a
/// grace period, so a lookup in flight never sees a closed reader.
/// </summary>
internal sealed class GeoIPLookup : IDisposable
{
    private static readonly TimeSpan s_disposeGrace = TimeSpan.FromSeconds(30);

    private readonly GeoIPOptions _options;
    private readonly string? _contentRoot;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly GeoIPMetrics? _metrics;
    private readonly GeoFactsCache _cache;
    private readonly Action<GeoIPDatabase, Exception> _onError;
    private readonly Lock _gate = new();
    private readonly Lock _reloadGate = new();
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly HashSet<string> _watchedFiles = new(StringComparer.Ordinal);
    private GeoIPDatabaseSet? _current;
    private ITimer? _reloadTimer;
    private bool _disposed;
    private int _notStartedReported;

    public GeoIPLookup(GeoIPOptions options, string? contentRoot, ILogger logger, TimeProvider time, GeoIPMetrics? metrics)
    {
        _options = options;
        _contentRoot = contentRoot;
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

            set = Build(previous: null, initial: true);
            Volatile.Write(ref _current, set);
        }

        if (set.IsEmpty)
        {
            Log.EnrichmentOff(_logger);
        }

        if (_options.WatchForChanges)
        {
            StartWatching();
        }
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
                set = Build(old, initial: false);
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
            foreach (var watcher in _watchers)
            {
                watcher.Dispose();
            }

            _watchers.Clear();
            _reloadTimer?.Dispose();
            set = Volatile.Read(ref _current);
            Volatile.Write(ref _current, null);
        }

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

    private void ReportReloadFailure(string setting, string reason)
    {
        Log.ReloadFailed(_logger, setting, reason);
        _metrics?.Reload(success: false);
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

    private string Resolve(string path) =>
        Path.GetFullPath(Path.IsPathRooted(path) || string.IsNullOrEmpty(_contentRoot) ? path : Path.Combine(_contentRoot, path));

    private GeoIPDatabaseSet Build(GeoIPDatabaseSet? previous, bool initial)
    {
        var slots = new GeoIPDatabase?[GeoIPSlots.Count];
        var explicitSlots = new bool[GeoIPSlots.Count];

        for (var i = 0; i < GeoIPSlots.Count; i++)
        {
            var slot = (GeoIPSlot)i;
            var configured = GeoIPSlots.ConfiguredPath(_options, slot);
            if (string.IsNullOrWhiteSpace(configured))
            {
                continue;
            }

            explicitSlots[i] = true;
            var path = Resolve(configured);
            lock (_gate)
            {
                _watchedFiles.Add(path);
            }

            slots[i] = OpenForSlot(slot, path, previous?[slot], initial);
        }

        if (!string.IsNullOrWhiteSpace(_options.DatabaseDirectory))
        {
            ScanDirectory(Resolve(_options.DatabaseDirectory), slots, explicitSlots, previous, initial);
        }

        var set = new GeoIPDatabaseSet(slots, (previous?.Generation ?? 0) + 1);
        if (initial)
        {
            for (var i = 0; i < GeoIPSlots.Count; i++)
            {
                if (slots[i] is { } db)
                {
                    Log.DatabaseLoaded(_logger, db.FileName, db.DatabaseType, db.BuildDate, GeoIPSlots.SettingName((GeoIPSlot)i));
                }
            }
        }

        return set;
    }

    private GeoIPDatabase? OpenForSlot(GeoIPSlot slot, string path, GeoIPDatabase? previous, bool initial)
    {
        if (previous is not null && previous.Path == path && previous.IsSameFile(new FileInfo(path)))
        {
            return previous;
        }

        try
        {
            // A replacement is always verified before it is swapped in: a corrupt file keeps the old database.
            var db = GeoIPDatabaseLoader.Open(path, _options.LoadIntoMemory, verify: !initial || _options.VerifyOnLoad);
            if (GeoIPSlots.SlotOf(db.Kind) != slot)
            {
                var type = db.DatabaseType;
                db.Dispose();
                throw new GeoIPLoadException($"'{path}' is a {type} database; {GeoIPSlots.Expected(slot)} is expected");
            }

            return db;
        }
        catch (GeoIPLoadException ex)
        {
            var setting = GeoIPSlots.SettingName(slot);
            if (initial && _options.Required)
            {
                throw new InvalidOperationException($"{setting}: {ex.Message}. GeoIP is configured as Required (NumoTelemetry:GeoIP:Required), so the application does not start.", ex);
            }

            if (initial)
            {
                Log.DatabaseNotLoaded(_logger, setting, ex.Message);
            }
            else
            {
                ReportReloadFailure(setting, ex.Message);
            }

            return initial ? null : previous;
        }
    }

    private void ScanDirectory(string directory, GeoIPDatabase?[] slots, bool[] explicitSlots, GeoIPDatabaseSet? previous, bool initial)
    {
        const string Setting = "NumoTelemetry:GeoIP:DatabaseDirectory";
        if (!Directory.Exists(directory))
        {
            if (initial && _options.Required)
            {
                throw new InvalidOperationException($"{Setting}: the directory '{directory}' does not exist. GeoIP is configured as Required (NumoTelemetry:GeoIP:Required), so the application does not start.");
            }

            if (initial)
            {
                Log.DatabaseNotLoaded(_logger, Setting, $"the directory '{directory}' does not exist");
            }

            KeepPrevious(slots, explicitSlots, previous);
            return;
        }

        var candidates = new List<GeoIPDatabase>[GeoIPSlots.Count];
        for (var i = 0; i < candidates.Length; i++)
        {
            candidates[i] = [];
        }

        var files = Directory.GetFiles(directory, "*.mmdb");
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            var path = Path.GetFullPath(file);
            var reused = FindPrevious(previous, path);
            GeoIPDatabase db;
            if (reused is not null)
            {
                db = reused;
            }
            else
            {
                try
                {
                    db = GeoIPDatabaseLoader.Open(path, _options.LoadIntoMemory, verify: false);
                }
                catch (GeoIPLoadException ex)
                {
                    if (initial)
                    {
                        ThrowIfRequired(ex);
                        Log.DatabaseNotLoaded(_logger, Setting, ex.Message);
                        continue;
                    }

                    // A replaced file that no longer opens: the database opened from the old file stays.
                    ReportReloadFailure(Setting, ex.Message);
                    if (FindReplaced(previous, path) is not { } kept)
                    {
                        continue;
                    }

                    db = kept;
                }
            }

            if (GeoIPSlots.SlotOf(db.Kind) is not { } slot || explicitSlots[(int)slot])
            {
                Log.FileIgnored(_logger, db.FileName, db.Kind == GeoIPDatabaseKind.Unsupported ? $"database type '{db.DatabaseType}' is not used" : "its slot is set explicitly");
                DisposeUnlessShared(db, previous);
                continue;
            }

            candidates[(int)slot].Add(db);
        }

        var any = false;
        for (var i = 0; i < GeoIPSlots.Count; i++)
        {
            if (explicitSlots[i])
            {
                continue;
            }

            var list = candidates[i];
            list.Sort(static (a, b) => Preference(a).CompareTo(Preference(b)) is var c && c != 0 ? c
                : a.FileName.Length != b.FileName.Length ? a.FileName.Length.CompareTo(b.FileName.Length)
                : string.CompareOrdinal(a.FileName, b.FileName));
            foreach (var db in list)
            {
                var chosen = slots[i] is null ? Accept(db, (GeoIPSlot)i, previous, initial) : null;
                if (!ReferenceEquals(chosen, db))
                {
                    DisposeUnlessShared(db, previous);
                }

                if (chosen is not null)
                {
                    slots[i] = chosen;
                    any = true;
                }
            }
        }

        if (!any && initial && _options.Required && Array.TrueForAll(slots, static s => s is null))
        {
            throw new InvalidOperationException($"{Setting}: no usable MaxMind database was found in '{directory}'. GeoIP is configured as Required (NumoTelemetry:GeoIP:Required), so the application does not start.");
        }
    }

    /// <summary>
    /// The database to use for a directory file: <paramref name="db"/> itself once verified (always on reload, on
    /// start-up with <see cref="GeoIPOptions.VerifyOnLoad"/>); on reload, when it fails, the database opened from the
    /// file it replaced; otherwise <see langword="null"/>.
    /// </summary>
    private GeoIPDatabase? Accept(GeoIPDatabase db, GeoIPSlot slot, GeoIPDatabaseSet? previous, bool initial)
    {
        if ((initial && !_options.VerifyOnLoad) || (previous is not null && previous.Slots.Contains(db)))
        {
            return db;
        }

        try
        {
            GeoIPDatabaseLoader.Verify(db.Path, _options.LoadIntoMemory);
            return db;
        }
        catch (GeoIPLoadException ex)
        {
            if (initial)
            {
                ThrowIfRequired(ex);
                Log.DatabaseNotLoaded(_logger, "NumoTelemetry:GeoIP:DatabaseDirectory", ex.Message);
                return null;
            }

            ReportReloadFailure("NumoTelemetry:GeoIP:DatabaseDirectory", ex.Message);
            return FindReplaced(previous, db.Path) is { } kept && GeoIPSlots.SlotOf(kept.Kind) == slot ? kept : null;
        }
    }

    private void ThrowIfRequired(GeoIPLoadException ex)
    {
        if (_options.Required)
        {
            throw new InvalidOperationException($"NumoTelemetry:GeoIP:DatabaseDirectory: {ex.Message}. GeoIP is configured as Required (NumoTelemetry:GeoIP:Required), so the application does not start; fix or remove the file.", ex);
        }
    }

    /// <summary>The database of <paramref name="previous"/> opened from <paramref name="path"/>, whatever is there now.</summary>
    private static GeoIPDatabase? FindReplaced(GeoIPDatabaseSet? previous, string path)
    {
        if (previous is null)
        {
            return null;
        }

        foreach (var db in previous.Slots)
        {
            if (db is not null && db.Path == path)
            {
                return db;
            }
        }

        return null;
    }

    // Lower is better: GeoIP2 before GeoLite2; Enterprise before City before Country.
    private static int Preference(GeoIPDatabase db) =>
        (db.DatabaseType.StartsWith("GeoIP2", StringComparison.OrdinalIgnoreCase) ? 0 : 10)
        + db.Kind switch { GeoIPDatabaseKind.Enterprise => 0, GeoIPDatabaseKind.City => 1, GeoIPDatabaseKind.Country => 2, _ => 0 };

    private static GeoIPDatabase? FindPrevious(GeoIPDatabaseSet? previous, string path)
    {
        if (previous is null)
        {
            return null;
        }

        foreach (var db in previous.Slots)
        {
            if (db is not null && db.Path == path && db.IsSameFile(new FileInfo(path)))
            {
                return db;
            }
        }

        return null;
    }

    private static void DisposeUnlessShared(GeoIPDatabase db, GeoIPDatabaseSet? previous)
    {
        if (previous is null || !previous.Slots.Contains(db))
        {
            db.Dispose();
        }
    }

    private static void KeepPrevious(GeoIPDatabase?[] slots, bool[] explicitSlots, GeoIPDatabaseSet? previous)
    {
        if (previous is null)
        {
            return;
        }

        for (var i = 0; i < GeoIPSlots.Count; i++)
        {
            if (!explicitSlots[i])
            {
                slots[i] = previous.Slots[i];
            }
        }
    }

    private void StartWatching()
    {
        var directories = new HashSet<string>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var file in _watchedFiles)
            {
                if (Path.GetDirectoryName(file) is { Length: > 0 } dir)
                {
                    directories.Add(dir);
                }
            }

            if (!string.IsNullOrWhiteSpace(_options.DatabaseDirectory))
            {
                directories.Add(Resolve(_options.DatabaseDirectory));
            }
        }

        foreach (var directory in directories)
        {
            if (Directory.Exists(directory))
            {
                Watch(directory, directory, NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime, filter: null, OnFileEvent);
            }
            else
            {
                WatchUntilCreated(directory);
            }
        }
    }

    /// <summary>
    /// <paramref name="directory"/> does not exist (yet): watch its nearest existing ancestor for the next missing
    /// path component, step down as components appear, and once the directory exists watch it and reload, so
    /// databases dropped in later are used without a restart.
    /// </summary>
    private void WatchUntilCreated(string directory)
    {
        var child = directory.TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(child);
        while (!string.IsNullOrEmpty(parent) && !Directory.Exists(parent))
        {
            child = parent;
            parent = Path.GetDirectoryName(parent);
        }

        if (string.IsNullOrEmpty(parent))
        {
            Log.WatchFailed(_logger, directory, nameof(DirectoryNotFoundException), "no parent directory exists");
            return;
        }

        var handled = 0;
        FileSystemWatcher? watcher = null;
        void Appeared(object? sender, FileSystemEventArgs e)
        {
            if (Interlocked.Exchange(ref handled, 1) != 0)
            {
                return;
            }

            // Not disposed from inside its own event: the runtime may still be dispatching on it.
            if (watcher is not null)
            {
                _ = Task.Run(() => Unwatch(watcher));
            }

            if (Directory.Exists(directory))
            {
                Log.DirectoryAppeared(_logger, directory);
                Watch(directory, directory, NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime, filter: null, OnFileEvent);
                ScheduleReload();
            }
            else
            {
                WatchUntilCreated(directory);
            }
        }

        watcher = Watch(parent, directory, NotifyFilters.DirectoryName, Path.GetFileName(child), Appeared);
        if (watcher is null)
        {
            return;
        }

        Log.WaitingForDirectory(_logger, directory, parent);

        // It may have appeared between the check and the watch.
        if (Directory.Exists(child))
        {
            Appeared(null, new FileSystemEventArgs(WatcherChangeTypes.Created, parent, Path.GetFileName(child)));
        }
    }

    private FileSystemWatcher? Watch(string path, string forDirectory, NotifyFilters notify, string? filter, FileSystemEventHandler handler)
    {
        try
        {
            var watcher = new FileSystemWatcher(path)
            {
                NotifyFilter = notify,
                IncludeSubdirectories = false,
            };
            if (filter is not null)
            {
                watcher.Filter = filter;
            }

            watcher.Changed += handler;
            watcher.Created += handler;
            watcher.Deleted += handler;
            watcher.Renamed += (sender, e) => handler(sender, e);
            watcher.EnableRaisingEvents = true;
            lock (_gate)
            {
                if (_disposed)
                {
                    watcher.Dispose();
                    return null;
                }

                _watchers.Add(watcher);
            }

            return watcher;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            Log.WatchFailed(_logger, forDirectory, ex.GetType().Name, ex.Message);
            return null;
        }
    }

    private void Unwatch(FileSystemWatcher watcher)
    {
        lock (_gate)
        {
            if (!_watchers.Remove(watcher))
            {
                return;
            }
        }

        watcher.Dispose();
    }

    private void OnFileEvent(object? sender, FileSystemEventArgs e)
    {
        if (!IsRelevant(e.FullPath) && !(e is RenamedEventArgs r && IsRelevant(r.OldFullPath)))
        {
            return;
        }

        ScheduleReload();
    }

    private void ScheduleReload()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var delay = _options.ReloadDelay < TimeSpan.Zero ? TimeSpan.Zero : _options.ReloadDelay;
            if (_reloadTimer is null)
            {
                _reloadTimer = _time.CreateTimer(static state => ((GeoIPLookup)state!).Reload(), this, delay, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _reloadTimer.Change(delay, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private bool IsRelevant(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }

        var full = Path.GetFullPath(path);
        lock (_gate)
        {
            if (_watchedFiles.Contains(full))
            {
                return true;
            }
        }

        return !string.IsNullOrWhiteSpace(_options.DatabaseDirectory)
            && full.EndsWith(".mmdb", StringComparison.OrdinalIgnoreCase)
            && string.Equals(Path.GetDirectoryName(full), Resolve(_options.DatabaseDirectory).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);
    }
}
