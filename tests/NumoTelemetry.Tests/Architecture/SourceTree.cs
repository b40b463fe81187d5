namespace NumoTelemetry.Tests.Architecture;

/// <summary>The repository's source tree, found above the test's output directory (so the checks run in every clone).</summary>
internal static class SourceTree
{
    /// <summary>The <c>src</c> directory: the one holding <c>NumoTelemetry/NumoTelemetry.csproj</c>.</summary>
    public static string Src()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src");
            if (File.Exists(Path.Combine(candidate, "NumoTelemetry", "NumoTelemetry.csproj")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("src/NumoTelemetry not found above " + AppContext.BaseDirectory);
    }
}
