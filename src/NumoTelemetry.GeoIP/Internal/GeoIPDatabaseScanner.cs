using Microsoft.Extensions.Logging;

namespace NumoTelemetry.GeoIP;

/// <summary>
/// Finds and opens the databases of a <see cref="GeoIPDatabaseSet"/>: the files set per slot and the <c>.mmdb</c> files of
/// <see cref="GeoIPOptions.DatabaseDirectory"/> (best database per slot), reusing the previous set's databases whose files are
/// unchanged. On start-up a bad file is a warning, or an error when GeoIP is required; on reload a replacement is verified
/// and, when it fails, the database opened from the file it replaced stays. Also answers which files and directories a
/// watcher should follow.
/// </summary>
internal sealed class GeoIPDatabaseScanner
{
    private const string DirectorySetting = "NumoTelemetry:GeoIP:DatabaseDirectory";

    private readonly GeoIPOptions _options;
    private readonly string? _contentRoot;
    private readonly ILogger _logger;
    private readonly GeoIPMetrics? _metrics;
    private readonly Lock _filesGate = new();
    private readonly HashSet<string> _files = new(StringComparer.Ordinal);

    public GeoIPDatabaseScanner(GeoIPOptions options, string? contentRoot, ILogger logger, GeoIPMetrics? metrics)
    {
        _options = options;
        _contentRoot = contentRoot;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>
    /// Opens the databases now configured: the set after <paramref name="previous"/> (a reload), or the first one
    /// (<paramref name="initial"/>: loaded databases are logged, and a failure throws when GeoIP is required).
    /// </summary>
    public GeoIPDatabaseSet Build(GeoIPDatabaseSet? previous, bool initial)
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
            lock (_filesGate)
            {
                _files.Add(path);
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

    /// <summary>The directories to watch: those of the files set per slot, and the database directory.</summary>
    public IReadOnlyCollection<string> Directories()
    {
        var directories = new HashSet<string>(StringComparer.Ordinal);
        lock (_filesGate)
        {
            foreach (var file in _files)
            {
                if (Path.GetDirectoryName(file) is { Length: > 0 } dir)
                {
                    directories.Add(dir);
                }
            }
        }

        if (!string.IsNullOrWhiteSpace(_options.DatabaseDirectory))
        {
            directories.Add(Resolve(_options.DatabaseDirectory));
        }

        return directories;
    }

    /// <summary>Whether a change to <paramref name="path"/> may change the set: a file set per slot, or an <c>.mmdb</c> file of the directory.</summary>
    public bool IsRelevant(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }

        var full = Path.GetFullPath(path);
        lock (_filesGate)
        {
            if (_files.Contains(full))
            {
                return true;
            }
        }

        return !string.IsNullOrWhiteSpace(_options.DatabaseDirectory)
            && full.EndsWith(".mmdb", StringComparison.OrdinalIgnoreCase)
            && string.Equals(Path.GetDirectoryName(full), Resolve(_options.DatabaseDirectory).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);
    }

    private string Resolve(string path) =>
        Path.GetFullPath(Path.IsPathRooted(path) || string.IsNullOrEmpty(_contentRoot) ? path : Path.Combine(_contentRoot, path));

    private void ReportReloadFailure(string setting, string reason)
    {
        Log.ReloadFailed(_logger, setting, reason);
        _metrics?.Reload(success: false);
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

    /// <summary>Fills the slots not set explicitly from the directory's files: the best database of each slot that opens and verifies.</summary>
    private void ScanDirectory(string directory, GeoIPDatabase?[] slots, bool[] explicitSlots, GeoIPDatabaseSet? previous, bool initial)
    {
        if (!Directory.Exists(directory))
        {
            if (initial && _options.Required)
            {
                throw new InvalidOperationException($"{DirectorySetting}: the directory '{directory}' does not exist. GeoIP is configured as Required (NumoTelemetry:GeoIP:Required), so the application does not start.");
            }

            if (initial)
            {
                Log.DatabaseNotLoaded(_logger, DirectorySetting, $"the directory '{directory}' does not exist");
            }

            KeepPrevious(slots, explicitSlots, previous);
            return;
        }

        var candidates = OpenCandidates(directory, explicitSlots, previous, initial);
        var any = Choose(candidates, slots, explicitSlots, previous, initial);
        if (!any && initial && _options.Required && Array.TrueForAll(slots, static s => s is null))
        {
            throw new InvalidOperationException($"{DirectorySetting}: no usable MaxMind database was found in '{directory}'. GeoIP is configured as Required (NumoTelemetry:GeoIP:Required), so the application does not start.");
        }
    }

    /// <summary>The directory's databases by slot, in file name order; files of an unused type or of an explicit slot are let go.</summary>
    private List<GeoIPDatabase>[] OpenCandidates(string directory, bool[] explicitSlots, GeoIPDatabaseSet? previous, bool initial)
    {
        var candidates = new List<GeoIPDatabase>[GeoIPSlots.Count];
        for (var i = 0; i < candidates.Length; i++)
        {
            candidates[i] = [];
        }

        var files = Directory.GetFiles(directory, "*.mmdb");
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (OpenCandidate(Path.GetFullPath(file), previous, initial) is not { } db)
            {
                continue;
            }

            if (GeoIPSlots.SlotOf(db.Kind) is not { } slot || explicitSlots[(int)slot])
            {
                Log.FileIgnored(_logger, db.FileName, db.Kind == GeoIPDatabaseKind.Unsupported ? $"database type '{db.DatabaseType}' is not used" : "its slot is set explicitly");
                DisposeUnlessShared(db, previous);
                continue;
            }

            candidates[(int)slot].Add(db);
        }

        return candidates;
    }

    /// <summary>
    /// The database of a directory file, unverified: the previous set's when the file is unchanged; on reload, when the file
    /// no longer opens, the database opened from the file it replaced; <see langword="null"/> when there is none.
    /// </summary>
    private GeoIPDatabase? OpenCandidate(string path, GeoIPDatabaseSet? previous, bool initial)
    {
        if (FindPrevious(previous, path) is { } reused)
        {
            return reused;
        }

        try
        {
            return GeoIPDatabaseLoader.Open(path, _options.LoadIntoMemory, verify: false);
        }
        catch (GeoIPLoadException ex)
        {
            // A replaced file that no longer opens: the database opened from the old file stays.
            return DirectoryFileFailed(ex, initial) ? FindReplaced(previous, path) : null;
        }
    }

    /// <summary>Puts the preferred accepted candidate of each free slot in it and lets the others go; whether any slot was filled.</summary>
    private bool Choose(List<GeoIPDatabase>[] candidates, GeoIPDatabase?[] slots, bool[] explicitSlots, GeoIPDatabaseSet? previous, bool initial)
    {
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

        return any;
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
            return DirectoryFileFailed(ex, initial) && FindReplaced(previous, db.Path) is { } kept && GeoIPSlots.SlotOf(kept.Kind) == slot ? kept : null;
        }
    }

    /// <summary>
    /// A directory file that does not open or verify: on start-up an error when GeoIP is required, else a warning; on reload logged
    /// and counted. Returns whether it is a reload, when the database opened from the file it replaced may stay.
    /// </summary>
    private bool DirectoryFileFailed(GeoIPLoadException ex, bool initial)
    {
        if (initial)
        {
            ThrowIfRequired(ex);
            Log.DatabaseNotLoaded(_logger, DirectorySetting, ex.Message);
            return false;
        }

        ReportReloadFailure(DirectorySetting, ex.Message);
        return true;
    }

    private void ThrowIfRequired(GeoIPLoadException ex)
    {
        if (_options.Required)
        {
            throw new InvalidOperationException($"{DirectorySetting}: {ex.Message}. GeoIP is configured as Required (NumoTelemetry:GeoIP:Required), so the application does not start; fix or remove the file.", ex);
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

    /// <summary>The database of <paramref name="previous"/> opened from <paramref name="path"/> if the file is unchanged since.</summary>
    private static GeoIPDatabase? FindPrevious(GeoIPDatabaseSet? previous, string path) =>
        FindReplaced(previous, path) is { } db && db.IsSameFile(new FileInfo(path)) ? db : null;

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
}
