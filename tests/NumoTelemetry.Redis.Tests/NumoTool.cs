using System.Diagnostics;

namespace NumoTelemetry.Redis.Tests;

/// <summary>The <c>numo</c> CLI as built next to the test project, run as a process (stdout and stderr together).</summary>
internal static class NumoTool
{
    /// <summary>The built <c>numo.dll</c>, or <see langword="null"/> (tests then skip).</summary>
    public static string? Dll { get; } = BuiltOutput.Find(Path.Combine("src", "NumoTelemetry.Cli"), "numo.dll");

    public const string MissingMessage = "the numo CLI was not built next to this test project";

    public static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Dll ?? throw new InvalidOperationException(MissingMessage));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return (process.ExitCode, await stdout + await stderr);
    }
}
