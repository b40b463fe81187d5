using MaxMind.GeoIP2;

namespace NumoTelemetry.GeoIP;

/// <summary>One opened database file: its reader, kind and the file stamp it was opened from.</summary>
internal sealed class GeoIPDatabase(string path, GeoIPDatabaseKind kind, string databaseType, DatabaseReader reader, long length, DateTime lastWriteUtc) : IDisposable
{
    private int _errorReported;

    /// <summary>Full path of the file.</summary>
    public string Path { get; } = path;

    /// <summary>File name only (for logs and metrics).</summary>
    public string FileName { get; } = System.IO.Path.GetFileName(path);

    /// <summary>The kind, from the metadata.</summary>
    public GeoIPDatabaseKind Kind { get; } = kind;

    /// <summary>The metadata database type, for example <c>GeoLite2-City</c>.</summary>
    public string DatabaseType { get; } = databaseType;

    /// <summary>The reader (thread-safe).</summary>
    public DatabaseReader Reader { get; } = reader;

    /// <summary>The database's build date (UTC).</summary>
    public DateTime BuildDate => Reader.Metadata.BuildDate;

    /// <summary>Whether <paramref name="file"/> still is the file this database was opened from.</summary>
    public bool IsSameFile(FileInfo file) => file.Exists && file.Length == length && file.LastWriteTimeUtc == lastWriteUtc;

    /// <summary>Returns <see langword="true"/> the first time only: lookup errors are logged once per loaded file.</summary>
    public bool ShouldReportError() => Interlocked.Exchange(ref _errorReported, 1) == 0;

    /// <inheritdoc />
    public void Dispose() => Reader.Dispose();
}
