using Microsoft.Extensions.Logging;

namespace NumoTelemetry.GeoIP;

/// <summary>All log messages of NumoTelemetry.GeoIP. They name files and settings, never an address.</summary>
internal static partial class Log
{
    [LoggerMessage(400, LogLevel.Warning, "GeoIP database for {Setting} not loaded: {Reason}. That enrichment is off (set NumoTelemetry:GeoIP:Required to make this a start-up error).", EventName = "GeoIPDatabaseMissing")]
    public static partial void DatabaseNotLoaded(ILogger logger, string setting, string reason);

    [LoggerMessage(401, LogLevel.Information, "GeoIP database {File} ({DatabaseType}, built {BuildDate:yyyy-MM-dd}) loaded for {Setting}.", EventName = "GeoIPDatabaseLoaded")]
    public static partial void DatabaseLoaded(ILogger logger, string file, string databaseType, DateTime buildDate, string setting);

    [LoggerMessage(402, LogLevel.Warning, "GeoIP enrichment is off: no database could be loaded.", EventName = "GeoIPOff")]
    public static partial void EnrichmentOff(ILogger logger);

    [LoggerMessage(403, LogLevel.Error, "GeoIP database '{Path}' failed a lookup ({ExceptionType}); it may be corrupt. Its facts are left out until it is replaced; requests are unaffected.", EventName = "GeoIPLookupFailed")]
    public static partial void LookupFailed(ILogger logger, string path, string exceptionType);

    [LoggerMessage(404, LogLevel.Error, "GeoIP reload of {Setting} failed: {Reason}. The previous database stays in use.", EventName = "GeoIPReloadFailed")]
    public static partial void ReloadFailed(ILogger logger, string setting, string reason);

    [LoggerMessage(405, LogLevel.Information, "GeoIP databases reloaded (generation {Generation}).", EventName = "GeoIPReloaded")]
    public static partial void Reloaded(ILogger logger, int generation);

    [LoggerMessage(406, LogLevel.Debug, "GeoIP ignores '{File}' in the database directory: {Reason}.", EventName = "GeoIPFileIgnored")]
    public static partial void FileIgnored(ILogger logger, string file, string reason);

    [LoggerMessage(407, LogLevel.Warning, "GeoIP cannot watch '{Directory}' for database updates ({ExceptionType}: {Reason}); replaced files are picked up after a restart.", EventName = "GeoIPWatchFailed")]
    public static partial void WatchFailed(ILogger logger, string directory, string exceptionType, string reason);

    [LoggerMessage(408, LogLevel.Warning, "GeoIP database directory '{Directory}' does not exist yet; watching '{WatchedParent}' and loading its databases as soon as it appears (no restart needed).", EventName = "GeoIPWaitingForDirectory")]
    public static partial void WaitingForDirectory(ILogger logger, string directory, string watchedParent);

    [LoggerMessage(409, LogLevel.Information, "GeoIP database directory '{Directory}' appeared; loading its databases.", EventName = "GeoIPDirectoryAppeared")]
    public static partial void DirectoryAppeared(ILogger logger, string directory);

    [LoggerMessage(410, LogLevel.Warning, "GeoIP lookups before the databases were opened: nothing is enriched (no geo, AS or network facts for the fraud detectors). The databases are opened by the GeoIP hosted service when the host starts; start the host (or its hosted services) before serving requests.", EventName = "GeoIPNotStarted")]
    public static partial void NotStarted(ILogger logger);
}
