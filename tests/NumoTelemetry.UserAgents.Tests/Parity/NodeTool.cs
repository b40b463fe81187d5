using System.Diagnostics;

namespace NumoTelemetry.UserAgents.Tests.Parity;

/// <summary>Runs node and npm for the parity test in benchmarks/ua-compare (its node_modules is git-ignored).</summary>
internal static class NodeTool
{
    /// <summary>The benchmarks/ua-compare folder of this repository, or null.</summary>
    public static string? CompareFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "benchmarks", "ua-compare");
            if (File.Exists(Path.Combine(candidate, "package-lock.json")))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Runs <paramref name="file"/> with <paramref name="arguments"/>; null when it cannot start.</summary>
    public static (int ExitCode, string Output, string Error)? Run(string file, string arguments, string workingDirectory, string? input = null, int timeoutMs = 300_000)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }

        using (process)
        {
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (input is not null)
            {
                process.StandardInput.Write(input);
            }

            process.StandardInput.Close();
            if (!process.WaitForExit(timeoutMs))
            {
                process.Kill(entireProcessTree: true);
                return (-1, output.Result, "timed out");
            }

            return (process.ExitCode, output.Result, error.Result);
        }
    }
}
