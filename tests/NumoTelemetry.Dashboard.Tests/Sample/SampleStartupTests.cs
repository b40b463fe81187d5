using System.Diagnostics;
using NumoTelemetry.Dashboard.Tests.Infrastructure;

namespace NumoTelemetry.Dashboard.Tests.Sample;

/// <summary>The sample's start-up checks, on the real process.</summary>
public sealed class SampleStartupTests
{
    [Fact]
    public async Task Start_ProductionWithoutAnalystPassword_RefusesNamingTheSetting()
    {
        using var root = new TempDirectory();
        var bin = AppContext.BaseDirectory;
        File.Copy(Path.Combine(bin, "appsettings.json"), Path.Combine(root.Path, "appsettings.json"));
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(bin, "NumoTelemetry.Sample.dll"), "--contentRoot", root.Path, "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment.Remove("Sample__AnalystPassword");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("The sample started without Sample:AnalystPassword in Production.");
        }

        var output = await stdout + await stderr;
        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("Sample:AnalystPassword is not set", output, StringComparison.Ordinal);
        Assert.DoesNotContain("analyst password for /numo is", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_Development_PrintsTheInvestigatorPasswordBesideTheAnalysts()
    {
        using var root = new TempDirectory();
        var bin = AppContext.BaseDirectory;
        File.Copy(Path.Combine(bin, "appsettings.json"), Path.Combine(root.Path, "appsettings.json"));
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(bin, "NumoTelemetry.Sample.dll"), "--contentRoot", root.Path, "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment.Remove("Sample__AnalystPassword");
        start.Environment.Remove("Sample__InvestigatorPassword");
        using var process = Process.Start(start)!;
        var lines = new List<string>();
        var investigatorLine = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            if (e.Data.StartsWith("NumoTelemetry sample: fraud investigator password for /numo is '", StringComparison.Ordinal))
            {
                investigatorLine.TrySetResult(e.Data);
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var line = await investigatorLine.Task.WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Matches("^NumoTelemetry sample: fraud investigator password for /numo is '[A-Za-z0-9=]{16}'$", line);
            lock (lines)
            {
                Assert.Contains(lines, l => l.StartsWith("NumoTelemetry sample: analyst password for /numo is '", StringComparison.Ordinal));
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
