using System.Diagnostics;
using NumoTelemetry.Dashboard.Tests.Infrastructure;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Dashboard.Tests.Sample;

/// <summary>The sample generates a development key only in the Development environment.</summary>
public class SampleKeyTests
{
    [Fact]
    public async Task Sample_ProductionWithoutKey_FailsNamingTheSettingAndWritesNoKey()
    {
        using var root = new TempDirectory();
        var (exited, output) = await RunAsync(root.Path, "Production");
        Assert.True(exited, "The sample kept running without a key:\n" + output);
        Assert.Contains("NumoTelemetry:Pseudonymization:Keys", output, StringComparison.Ordinal);
        Assert.DoesNotContain("generated a development pseudonymisation key", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(root.Path, "App_Data", "numo-dev-key.json")));
    }

    [Fact]
    public async Task Sample_DevelopmentWithoutKey_GeneratesOneAndStarts()
    {
        using var root = new TempDirectory();
        var (exited, output) = await RunAsync(root.Path, "Development");
        Assert.False(exited, "The sample exited in Development:\n" + output);
        Assert.Contains("generated a development pseudonymisation key", output, StringComparison.Ordinal);
        var key = Path.Combine(root.Path, "App_Data", "numo-dev-key.json");
        Assert.True(File.Exists(key));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }

        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(root.Path, "App_Data")), f => f.EndsWith(".tmp", StringComparison.Ordinal)); // no temporary file left
    }

    [Fact]
    public async Task Sample_DevelopmentWithAKeyReadableByOthers_RestrictsItToTheOwner()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes
        }

        using var root = new TempDirectory();
        var key = Path.Combine(root.Path, "App_Data", "numo-dev-key.json");
        Directory.CreateDirectory(Path.GetDirectoryName(key)!);
        var text = NumoTelemetry.Pseudonymization.KeyFile.Generate();
        File.WriteAllText(key, text);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var (exited, output) = await RunAsync(root.Path, "Development");
        Assert.False(exited, "The sample exited in Development:\n" + output);
        Assert.Contains("readable by its owner only", output, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.Equal(text, File.ReadAllText(key));
    }

    /// <summary>
    /// Runs the sample until it exits or says it started (then stops it); returns whether it exited by itself, and its output.
    /// </summary>
    private static async Task<(bool Exited, string Output)> RunAsync(string contentRoot, string environment)
    {
        var bin = AppContext.BaseDirectory;
        File.Copy(Path.Combine(bin, "appsettings.json"), Path.Combine(contentRoot, "appsettings.json"));
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = contentRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            Path.Combine(bin, "NumoTelemetry.Sample.dll"),
            "--contentRoot", contentRoot,
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{SampleServer.FreePort()}",
            "--Sample:AnalystPassword=test-password",
        })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var output = new System.Text.StringBuilder();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = start };
        DataReceivedEventHandler append = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data.Contains("Application started", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        await Task.WhenAny(process.WaitForExitAsync(), started.Task).WaitAsync(TimeSpan.FromSeconds(90));
        var exited = process.HasExited;
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        lock (output)
        {
            return (exited, output.ToString());
        }
    }
}
