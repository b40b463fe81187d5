namespace NumoTelemetry.GeoIP.Tests;

/// <summary>Finds MaxMind's official test databases in <c>shared/testdata/maxmind</c> beside the repository.</summary>
internal static class TestData
{
    public const string SkipReason = "MaxMind test databases not found: they live in ../shared/testdata/maxmind beside the repository (walked up from the test's base directory).";

    private static readonly Lazy<string?> s_maxMind = new(() => NumoTelemetry.Testing.SharedTestData.Find("maxmind"));

    /// <summary>The directory holding the .mmdb and .source.json files, or <see langword="null"/>.</summary>
    public static string? MaxMindDirectory => s_maxMind.Value;

    /// <summary>Skips the calling test when the test data is absent.</summary>
    public static string RequireMaxMind()
    {
        Skip.If(MaxMindDirectory is null, SkipReason);
        return MaxMindDirectory!;
    }

    /// <summary>Full path of a test database file.</summary>
    public static string File(string name) => Path.Combine(RequireMaxMind(), name);
}
