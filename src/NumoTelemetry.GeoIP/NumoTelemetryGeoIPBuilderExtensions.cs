using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NumoTelemetry;
using NumoTelemetry.GeoIP;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds MaxMind GeoIP2 enrichment to NumoTelemetry.</summary>
public static class NumoTelemetryGeoIPBuilderExtensions
{
    /// <summary>
    /// Adds GeoIP enrichment with options bound from <c>NumoTelemetry:GeoIP</c> (when <c>AddNumoTelemetry</c> was given
    /// a configuration section).
    /// </summary>
    public static INumoTelemetryBuilder AddGeoIP(this INumoTelemetryBuilder builder) => builder.AddGeoIP(static _ => { });

    /// <summary>Adds GeoIP enrichment bound from <c>NumoTelemetry:GeoIP</c>, then adjusted by <paramref name="configure"/>.</summary>
    public static INumoTelemetryBuilder AddGeoIP(this INumoTelemetryBuilder builder, Action<GeoIPOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(builder, builder.Configuration?.GetSection(GeoIPOptions.SectionName), configure);
    }

    /// <summary>Adds GeoIP enrichment bound from <paramref name="configuration"/> (a section shaped like <see cref="GeoIPOptions"/>).</summary>
    public static INumoTelemetryBuilder AddGeoIP(this INumoTelemetryBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(builder, configuration, null);
    }

    private static INumoTelemetryBuilder AddCore(INumoTelemetryBuilder builder, IConfiguration? configuration, Action<GeoIPOptions>? configure)
    {
        var services = builder.Services;
        var options = services.AddOptions<GeoIPOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration);
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GeoIPOptions>, GeoIPOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GeoIPMetrics>();
        services.TryAddSingleton(static sp => new GeoIPLookup(
            sp.GetRequiredService<IOptions<GeoIPOptions>>().Value,
            sp.GetService<IHostEnvironment>()?.ContentRootPath,
            sp.GetService<ILoggerFactory>()?.CreateLogger("NumoTelemetry.GeoIP") ?? NullLogger.Instance,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<GeoIPMetrics>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GeoIPHostedService>());
        builder.AddEnricher<GeoIPEnricher>();
        return builder;
    }
}
