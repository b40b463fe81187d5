using System.Diagnostics;

namespace NumoTelemetry.Tests;

/// <summary>A small tmpfs mounted for a test, to run a real file system out of space; unmounted and removed on dispose.</summary>
public sealed class Tmpfs : IDisposable
{
    private static readonly Lazy<string?> Probe = new(() =>
    {
        if (!OperatingSystem.IsLinux())
        {
            return "needs Linux (mounts a tmpfs to fill a real file system)";
        }

        var dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "numo-tmpfs-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var probe = Mount(dir, 64 * 1024);
            return null;
        }
        catch (InvalidOperationException ex)
        {
            return "cannot mount a tmpfs here (needs root, as in CI): " + ex.Message;
        }
    });

    private Tmpfs(string path) => Path = path;

    /// <summary>Why tmpfs tests cannot run here, or <see langword="null"/> when they can.</summary>
    public static string? Unavailable => Probe.Value;

    public string Path { get; }

    public static Tmpfs Mount(string path, int bytes)
    {
        Directory.CreateDirectory(path);
        var error = Run("mount", "-t", "tmpfs", "-o", "size=" + bytes.ToString(System.Globalization.CultureInfo.InvariantCulture), "tmpfs", path);
        if (error is not null)
        {
            Directory.Delete(path);
            throw new InvalidOperationException(error);
        }

        return new Tmpfs(path);
    }

    public void Dispose()
    {
        Run("umount", Path);
        Directory.Delete(Path, recursive: true);
    }

    private static string? Run(string file, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args)
            {
                start.ArgumentList.Add(a);
            }

            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"{file} exited with {process.ExitCode}: {stderr.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"{file}: {ex.Message}";
        }
    }
}
