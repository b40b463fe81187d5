using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Sample;

/// <summary>
/// Embedded defaults for a first run in Development only: when no pseudonymisation key is configured,
/// generate one into App_Data/numo-dev-key.json (outside source control) and say where it is. In any other
/// environment nothing is generated, and a missing key is the usual start-up error naming the setting:
/// real sites configure their own key (user secrets, a key vault, or a key file they manage).
/// <c>dotnet run</c> uses Properties/launchSettings.json, which sets <c>ASPNETCORE_ENVIRONMENT=Development</c>.
/// </summary>
internal static class DevelopmentKey
{
    public static void EnsureConfigured(WebApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment())
        {
            return;
        }

        var section = builder.Configuration.GetSection("NumoTelemetry:Pseudonymization");
        if (section.GetSection("Keys").GetChildren().Any() || !string.IsNullOrEmpty(section["KeyFile"]))
        {
            return;
        }

        var path = Path.Combine(builder.Environment.ContentRootPath, "App_Data", "numo-dev-key.json");
        if (Generate(path))
        {
            Console.WriteLine($"NumoTelemetry: generated a development pseudonymisation key in {path} (readable by its owner only; keep it out of source control).");
        }
        else
        {
            Restrict(path);
            Console.WriteLine($"NumoTelemetry: using the development pseudonymisation key in {path}.");
        }

        builder.Configuration["NumoTelemetry:Pseudonymization:KeyFile"] = path;
    }

    /// <summary>
    /// Writes a new key file, mode 0600 from creation and renamed into place whole (<see cref="KeyFile.Write"/>); false when one
    /// exists (also when another instance made it first).
    /// </summary>
    private static bool Generate(string path)
    {
        if (File.Exists(path))
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            KeyFile.Write(path, KeyFile.Generate());
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }

    /// <summary>A key file from an older sample, made 0644 and restricted only afterwards: readable by its owner only from now on.</summary>
    private static void Restrict(string path)
    {
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerOnly) != 0)
        {
            File.SetUnixFileMode(path, OwnerOnly);
            Console.WriteLine($"NumoTelemetry: {path} was readable by others; it is now readable by its owner only.");
        }
    }
}
