using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Tests;

/// <summary>Keys made fresh for each test run: no secret is in the repo.</summary>
internal static class TestKeys
{
    public static PseudonymizationOptions Options(int keys = 1, Action<PseudonymizationOptions>? configure = null)
    {
        var options = new PseudonymizationOptions();
        for (var i = 1; i <= keys; i++)
        {
            options.Keys[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = KeyRing.GenerateKey();
        }

        configure?.Invoke(options);
        return options;
    }

    /// <summary>NumoTelemetry's services with a fresh key and no request-log file, as a site registers them.</summary>
    public static ServiceProvider Services(Action<NumoTelemetryOptions>? configure = null, Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNumoTelemetry(o =>
        {
            o.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
            o.RequestLog.FileEnabled = false;
            configure?.Invoke(o);
        });
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }

    public static Pseudonymizer Pseudonymizer(PseudonymizationOptions? options = null)
    {
        options ??= Options();
        return new Pseudonymizer(KeyRing.FromOptions(options), options);
    }
}
