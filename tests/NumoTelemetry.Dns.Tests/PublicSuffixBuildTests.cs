using System.Diagnostics;

namespace NumoTelemetry.Dns.Tests;

/// <summary>The build step that fetches the Public Suffix List: without npm, its error says what is missing and how to fix it.</summary>
public sealed class PublicSuffixBuildTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("numo-psl-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string? FindProject()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "NumoTelemetry.Dns", "NumoTelemetry.Dns.csproj");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    [SkippableFact]
    public async Task NumoPslFetch_NpmMissing_ErrorNamesTheMissingFileTheCommandAndTheFixes()
    {
        var project = FindProject();
        Skip.If(project is null, "src/NumoTelemetry.Dns/NumoTelemetry.Dns.csproj not found above the test's base directory.");
        var pslDir = _dir + Path.DirectorySeparatorChar;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "msbuild", project!, "-t:NumoPslFetch", "-nologo", "-p:NumoDnsNpm=/nonexistent/npm", $"-p:NumoPslDir={pslDir}" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout + await stderr;

        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("error NUMODNS001", output, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_dir, "data", "rules.js"), output, StringComparison.Ordinal); // the missing file
        Assert.Contains("'/nonexistent/npm --version' failed", output, StringComparison.Ordinal); // the missing tool
        Assert.Contains("-p:NumoDnsNpm=", output, StringComparison.Ordinal); // fixes: another npm, or the file by hand
        Assert.Contains("npm pack psl@", output, StringComparison.Ordinal);
        Assert.DoesNotContain("MSB3073", output, StringComparison.Ordinal);
    }
}
