namespace NumoTelemetry.Internal;

/// <summary>
/// Creates files that hold pseudonymous data (the request log, the dashboard store) readable and writable by their owner
/// only (0600 on Unix), whatever the process's umask, as key files are: other users of the machine must not read them.
/// A file that already exists keeps the mode its operator gave it.
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

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            new FileStream(path, options).Dispose();
        }
        catch (IOException) when (File.Exists(path))
        {
            // Created by someone else meanwhile: it is theirs to keep.
        }
    }
}
