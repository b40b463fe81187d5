namespace NumoTelemetry.Redis.Tests;

/// <summary>Finds the output of a project built with this test project (same configuration and target framework).</summary>
internal static class BuiltOutput
{
    /// <summary><c>{repo}/{projectDirectory}/bin/{Configuration}/{tfm}/{file}</c>, or <see langword="null"/>.</summary>
    public static string? Find(string projectDirectory, string file)
    {
        // this assembly runs from tests/NumoTelemetry.Redis.Tests/bin/{Configuration}/{tfm}/
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = bin.Name;
        var configuration = bin.Parent?.Name ?? "Debug";
        for (var dir = bin; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, projectDirectory, "bin", configuration, tfm, file);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
