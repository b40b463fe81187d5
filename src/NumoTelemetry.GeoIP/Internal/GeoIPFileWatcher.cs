using Microsoft.Extensions.Logging;

namespace NumoTelemetry.GeoIP;

/// <summary>
/// Watches the directories of the databases (<see cref="GeoIPDatabaseScanner.Directories"/>) and, after a change to a file
/// that matters, calls the reload once things settle (<see cref="GeoIPOptions.ReloadDelay"/> after the last event). A directory
/// that does not exist yet is waited for. Never throws from an event: a directory that cannot be watched is logged.
/// </summary>
internal sealed class GeoIPFileWatcher : IDisposable
{
    private const NotifyFilters DatabaseChanges = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime;

    private readonly GeoIPDatabaseScanner _scanner;
    private readonly TimeSpan _delay;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Action _reload;
    private readonly Lock _gate = new();
    private readonly List<FileSystemWatcher> _watchers = [];
    private ITimer? _reloadTimer;
    private bool _disposed;

    /// <param name="scanner">Which directories to watch and which files matter.</param>
    /// <param name="delay">The quiet time after the last event before <paramref name="reload"/> runs.</param>
    /// <param name="logger">The GeoIP logger.</param>
    /// <param name="time">The clock of the reload timer.</param>
    /// <param name="reload">The reload, run on the timer's thread.</param>
    public GeoIPFileWatcher(GeoIPDatabaseScanner scanner, TimeSpan delay, ILogger logger, TimeProvider time, Action reload)
    {
        _scanner = scanner;
        _delay = delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
        _logger = logger;
        _time = time;
        _reload = reload;
    }

    /// <summary>Starts watching every directory the scanner names (after the first scan, so the files set per slot are known).</summary>
    public void Start()
    {
        foreach (var directory in _scanner.Directories())
        {
            if (Directory.Exists(directory))
            {
                Watch(directory, directory, DatabaseChanges, filter: null, OnFileEvent);
            }
            else
            {
                WatchUntilCreated(directory);
            }
        }
    }

    public void Dispose()
    {
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
                Watch(directory, directory, DatabaseChanges, filter: null, OnFileEvent);
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
        if (!_scanner.IsRelevant(e.FullPath) && !(e is RenamedEventArgs r && _scanner.IsRelevant(r.OldFullPath)))
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

            if (_reloadTimer is null)
            {
                _reloadTimer = _time.CreateTimer(static state => ((GeoIPFileWatcher)state!)._reload(), this, _delay, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _reloadTimer.Change(_delay, Timeout.InfiniteTimeSpan);
            }
        }
    }
}
