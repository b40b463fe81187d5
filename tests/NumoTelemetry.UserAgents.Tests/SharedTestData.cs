namespace NumoTelemetry.UserAgents.Tests;

/// <summary>
/// Finds the shared test data: the repository is cloned next to a <c>shared</c> folder, so walk up from
/// the test assembly looking for <c>shared/testdata/uap-core</c> beside an ancestor.
/// </summary>
internal static class SharedTestData
{
    private static readonly Lazy<string?> Root = new(Find);

    /// <summary>The <c>shared/testdata/uap-core</c> folder, or <see langword="null"/> when absent.</summary>
    public static string? UapCore => Root.Value;

    /// <summary>The reason given when tests are skipped for want of the data.</summary>
    public const string MissingReason = "Skipped: ../shared/testdata/uap-core was not found beside the repository (uap-core conformance data is not part of the repo).";

    /// <summary>The path of <paramref name="relative"/> inside the uap-core data, skipping the test when absent.</summary>
    public static string Require(string relative)
    {
        Skip.If(UapCore is null, MissingReason);
        var path = Path.Combine(UapCore!, relative);
        Skip.IfNot(File.Exists(path), $"Skipped: {path} is missing from the shared test data.");
        return path;
    }

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "testdata", "uap-core");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
