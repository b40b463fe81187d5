using MaxMind.Db;
using MaxMind.GeoIP2;

namespace NumoTelemetry.GeoIP;

/// <summary>Opens, classifies and (optionally) verifies database files. Every failure is a <see cref="GeoIPLoadException"/> naming the file.</summary>
internal static class GeoIPDatabaseLoader
{
    /// <summary>Opens <paramref name="path"/>; throws <see cref="GeoIPLoadException"/> when it is missing, unreadable or corrupt.</summary>
    public static GeoIPDatabase Open(string path, bool loadIntoMemory, bool verify)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new GeoIPLoadException($"the database file '{path}' does not exist");
        }

        DatabaseReader reader;
        try
        {
            reader = new DatabaseReader(path, loadIntoMemory ? FileAccessMode.Memory : FileAccessMode.MemoryMapped);
        }
        catch (Exception ex) when (ex is InvalidDatabaseException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or DeserializationException)
        {
            throw new GeoIPLoadException($"'{path}' is not a valid MaxMind database ({ex.GetType().Name}: {ex.Message})", ex);
        }

        var type = reader.Metadata.DatabaseType ?? string.Empty;
        var database = new GeoIPDatabase(path, GeoIPSlots.Classify(type), type, reader, file.Length, file.LastWriteTimeUtc);
        if (verify)
        {
            try
            {
                Verify(path, loadIntoMemory);
            }
            catch
            {
                database.Dispose();
                throw;
            }
        }

        return database;
    }

    /// <summary>Walks the whole search tree and decodes every record: corruption shows now, not on a request.</summary>
    public static long Verify(string path, bool loadIntoMemory)
    {
        long count = 0;
        try
        {
            using var reader = new Reader(path, loadIntoMemory ? FileAccessMode.Memory : FileAccessMode.MemoryMapped);
            foreach (var node in reader.FindAll<Dictionary<string, object>>())
            {
                _ = node.Data;
                count++;
            }
        }
        catch (Exception ex) when (ex is InvalidDatabaseException or DeserializationException or IOException or InvalidOperationException or ArgumentException or IndexOutOfRangeException or OverflowException or InvalidCastException)
        {
            throw new GeoIPLoadException($"'{path}' is corrupt: its search tree or data section could not be read after {count} records ({ex.GetType().Name}: {ex.Message})", ex);
        }

        return count;
    }
}
