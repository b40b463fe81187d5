// Shared source: compiled into the core and, linked, into the dashboard (new SQLite files). Each assembly has its own copy in
// its own namespace, so the numo tool, which sees both assemblies' internals, names one type without ambiguity.
#if NUMO_DASHBOARD
namespace NumoTelemetry.Dashboard.Internal;
#else
namespace NumoTelemetry.Internal;
#endif

/// <summary>
/// Creates files that hold pseudonymous or personal data (the request log, the dashboard store, a subject export) readable
/// and writable by their owner only (0600 on Unix), whatever the process's umask, as key files are: other users of the
/// machine must not read them. A file that already exists keeps the mode its operator gave it.
/// </summary>
internal static class OwnerOnlyFile
{
    /// <summary>Creates an empty owner-only file at <paramref name="path"/> unless one exists.</summary>
    /// <exception cref="IOException">The file could not be created (for example, its directory is not writable).</exception>
    public static void EnsureExists(string path)
    {
        if (File.Exists(path))
        {
            return;
        }

        try
        {
            new FileStream(path, Options(FileMode.CreateNew, FileShare.ReadWrite)).Dispose();
        }
        catch (IOException) when (File.Exists(path))
        {
            // Created by someone else meanwhile: it is theirs to keep.
        }
    }

    /// <summary>Opens <paramref name="path"/> for writing from its start, emptied; created owner-only when it does not exist.</summary>
    /// <exception cref="IOException">The file could not be opened or created.</exception>
    public static FileStream Create(string path) => new(path, Options(FileMode.Create, FileShare.Read));

    private static FileStreamOptions Options(FileMode mode, FileShare share)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = share };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }
}
