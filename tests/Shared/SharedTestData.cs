namespace NumoTelemetry.Testing;

/// <summary>
/// Finds the shared test data (<c>shared/testdata/...</c>), which lives beside the repository: walks up from the
/// test's base directory. Linked into the test and benchmark projects that need it.
/// </summary>
internal static class SharedTestData
{
    /// <summary>The directory <c>shared/testdata/{name}</c>, or <see langword="null"/> when it is absent.</summary>
    public static string? Find(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "testdata", name);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
