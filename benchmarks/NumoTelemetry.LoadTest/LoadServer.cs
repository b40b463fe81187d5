using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.HttpLogging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace NumoTelemetry.LoadTest;

internal static class LoadServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        var mode = Arg(args, "--mode") ?? "bare";
        var port = Arg(args, "--port") ?? "5099";
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var data = Path.Combine(Path.GetTempPath(), "numo-load-" + Environment.ProcessId);
        switch (mode)
        {
            case "numo":
            case "numo-nometrics":
            case "numo-nolog":
            case "numo-nofraud":
            case "numo-capture":
                // The numo-* modes each turn one part off, so that the differences measure what each part costs: metrics,
                // the request-log file, fraud detection; numo-capture keeps only the capture and its metrics.
                builder.Services.AddNumoTelemetry(o =>
                {
                    o.Pseudonymization.Keys["1"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
                    o.RequestLog.Directory = data;
                    o.RequestLog.FileEnabled = mode is not ("numo-nolog" or "numo-capture");
                    o.Fraud.Enabled = mode is not ("numo-nofraud" or "numo-capture");
                    o.Capture.PhoneNumberHeaders = ["X-MSISDN"];
                });
                if (mode != "numo-nometrics")
                {
                    builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter("NumoTelemetry"));
                }

                break;
            case "httplogging":
                builder.Services.AddHttpLogging(o => o.LoggingFields = HttpLoggingFields.RequestPropertiesAndHeaders | HttpLoggingFields.ResponsePropertiesAndHeaders);
                // An enabled logger that discards: HttpLogging pays for building its messages, not for a console.
                builder.Logging.AddProvider(new DiscardingLoggerProvider());
                builder.Logging.AddFilter("Microsoft.AspNetCore.HttpLogging", LogLevel.Information);
                break;
            case "otel":
                builder.Services.AddOpenTelemetry()
                    .WithTracing(t => t.AddAspNetCoreInstrumentation())
                    .WithMetrics(m => m.AddAspNetCoreInstrumentation());
                break;
            case "bare":
                break;
            default:
                Console.Error.WriteLine($"unknown mode {mode}");
                return 2;
        }

        var app = builder.Build();
        if (mode.StartsWith("numo", StringComparison.Ordinal))
        {
            app.UseNumoTelemetry();
        }
        else if (mode == "httplogging")
        {
            app.UseHttpLogging();
        }

        app.MapGet("/", () => "Hello, World!");
        // Every other page too (the many-clients script requests a few hundred): one small 200 response for each.
        app.MapGet("/{**page}", () => "Hello, World!");
        app.MapGet("/__stats", () =>
        {
            using var self = Process.GetCurrentProcess();
            return string.Create(CultureInfo.InvariantCulture,
                $"{self.TotalProcessorTime.Ticks} {GC.GetTotalAllocatedBytes(precise: true)} {System.Runtime.JitInfo.GetCompiledMethodCount()} {System.Runtime.JitInfo.GetCompilationTime().Ticks}");
        });
        await app.RunAsync();
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }

        return 0;
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
