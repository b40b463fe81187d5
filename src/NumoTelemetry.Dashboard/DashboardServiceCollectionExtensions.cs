using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NumoTelemetry;
using NumoTelemetry.Alerts;
using NumoTelemetry.Dashboard;
using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Query;
using NumoTelemetry.Dashboard.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the analyst dashboard to NumoTelemetry.</summary>
public static class DashboardServiceCollectionExtensions
{
    /// <summary>
    /// Adds the dashboard's aggregates: a pipeline processor folding records into minute, hour and day buckets, the
    /// embedded SQLite store (unless an <see cref="IDashboardStore"/> is already registered) and the query service.
    /// Options bind from <c>NumoTelemetry:Dashboard</c> when <c>AddNumoTelemetry</c> was given configuration, then
    /// <paramref name="configure"/> adjusts them. Map the pages with <c>app.MapNumoDashboard("/numo")</c>.
    /// </summary>
    public static INumoTelemetryBuilder AddDashboard(this INumoTelemetryBuilder builder, Action<DashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<DashboardOptions>();
        if (builder.Configuration is { } configuration)
        {
            options.Bind(configuration.GetSection(DashboardOptions.SectionName));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidator>());
        services.TryAddSingleton<DashboardMarkerService>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IDashboardStore>(static sp =>
        {
            var path = sp.GetRequiredService<IOptions<DashboardOptions>>().Value.DatabasePath;
            if (!Path.IsPathRooted(path))
            {
                path = Path.Combine(sp.GetService<IHostEnvironment>()?.ContentRootPath ?? AppContext.BaseDirectory, path);
            }

            var store = new SqliteDashboardStore(path);
            DashboardLog.StoreOpened(sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<SqliteDashboardStore>>(), store.Path);
            return store;
        });
        // Fraud alerts reach the dashboard through its store: one object is both the alert sink and the feed.
        services.TryAddSingleton<StoredAlertFeed>();
        services.TryAddSingleton<IDashboardAlertFeed>(static sp => sp.GetRequiredService<StoredAlertFeed>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<NumoTelemetry.Alerts.IAlertSink, StoredAlertFeed>(static sp => sp.GetRequiredService<StoredAlertFeed>()));
        services.TryAddSingleton(static sp => new DashboardRouteFilter(sp.GetRequiredService<IOptions<DashboardOptions>>().Value.ExcludedRoutePrefixes));
        services.TryAddSingleton<DashboardQueryService>();
        return builder.AddProcessor<DashboardProcessor>();
    }
}
