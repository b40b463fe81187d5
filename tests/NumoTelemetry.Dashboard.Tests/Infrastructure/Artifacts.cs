namespace NumoTelemetry.Dashboard.Tests.Infrastructure;

/// <summary>Where tests leave artifacts: <c>TestResults/</c> beside the test project (or <c>NUMO_TEST_ARTIFACTS</c>).</summary>
internal static class Artifacts
{
    public static string Directory(string name)
    {
        var root = Environment.GetEnvironmentVariable("NUMO_TEST_ARTIFACTS");
        if (string.IsNullOrEmpty(root))
        {
            root = Path.Combine(AppContext.BaseDirectory, "TestResults");
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "NumoTelemetry.Dashboard.Tests.csproj")))
                {
                    root = Path.Combine(dir.FullName, "TestResults");
                    break;
                }
            }
        }

        var path = Path.Combine(root, name);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }
}
