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
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, KeyFile.Generate());
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            Console.WriteLine($"NumoTelemetry: generated a development pseudonymisation key in {path} (keep it out of source control).");
        }
        else
        {
            Console.WriteLine($"NumoTelemetry: using the development pseudonymisation key in {path}.");
        }

        builder.Configuration["NumoTelemetry:Pseudonymization:KeyFile"] = path;
    }
}
