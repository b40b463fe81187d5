using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Cli.Tests;

/// <summary>What the replay tests share: a temporary directory (removed afterwards), a key file in it, a start time and a browser.</summary>
public abstract class ReplayTestFiles(string prefix) : IDisposable
{
    protected static readonly DateTimeOffset T0 = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
    protected const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

    protected string WorkDirectory { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public void Dispose()
    {
        Directory.Delete(WorkDirectory, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>A key file made on first use.</summary>
    protected string KeyFilePath()
    {
        var path = Path.Combine(WorkDirectory, "key.json");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, KeyFile.Generate(null));
        }

        return path;
    }
}
