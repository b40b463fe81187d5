using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry;
using NumoTelemetry.Dashboard;
using NumoTelemetry.Dashboard.PostgreSql;
using NumoTelemetry.Dashboard.PostgreSql.Internal;
using NumoTelemetry.Metrics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Fleet analytics: <c>AddNumoTelemetry(...).AddDashboard().AddDashboardPostgreSql()</c> keeps the dashboard's aggregates,
/// alerts, day secrets, share-link revocations and the fraud workspace (alerts, triage, allow/deny lists, audit) in
/// PostgreSQL, shared by every node, instead of the embedded SQLite file.
/// </summary>
public static class NumoTelemetryDashboardPostgreSqlBuilderExtensions
{
    /// <summary>
    /// Stores the dashboard in PostgreSQL. Binds <c>NumoTelemetry:Dashboard:PostgreSql</c> when <c>AddNumoTelemetry</c> was
    /// given configuration. Replaces any other <see cref="IDashboardStore"/> and <see cref="IFraudWorkspaceStore"/>, before
    /// or after <c>AddDashboard</c>. The schema is created or migrated at start-up.
    /// </summary>
    /// <param name="builder">The NumoTelemetry builder.</param>
    /// <returns>The builder, for chaining.</returns>
    public static INumoTelemetryBuilder AddDashboardPostgreSql(this INumoTelemetryBuilder builder) => builder.AddDashboardPostgreSql(static _ => { });

    /// <summary>
    /// Stores the dashboard in PostgreSQL. Binds <c>NumoTelemetry:Dashboard:PostgreSql</c> when <c>AddNumoTelemetry</c> was
    /// given configuration, then applies <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The NumoTelemetry builder.</param>
    /// <param name="configure">Changes to the bound options.</param>
    /// <returns>The builder, for chaining.</returns>
    public static INumoTelemetryBuilder AddDashboardPostgreSql(this INumoTelemetryBuilder builder, Action<PostgreSqlDashboardOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<PostgreSqlDashboardOptions>();
        if (builder.Configuration is not null)
        {
            options.Bind(builder.Configuration.GetSection(DashboardOptions.SectionName + ":" + PostgreSqlDashboardOptions.SectionName));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddCore(builder);
    }

    /// <summary>Stores the dashboard in PostgreSQL, with options bound from <paramref name="configuration"/> (a <c>PostgreSql</c> section).</summary>
    public static INumoTelemetryBuilder AddDashboardPostgreSql(this INumoTelemetryBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        builder.Services.AddOptions<PostgreSqlDashboardOptions>().Bind(configuration);
        return AddCore(builder);
    }

    private static INumoTelemetryBuilder AddCore(INumoTelemetryBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<PostgreSqlDashboardOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlDashboardOptions>, PostgreSqlDashboardOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static sp => new PostgreSqlDashboardStore(
            sp.GetRequiredService<IOptions<PostgreSqlDashboardOptions>>(),
            sp.GetRequiredService<ILogger<PostgreSqlDashboardStore>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILossCounter>()));
        services.RemoveAll<IDashboardStore>();
        services.AddSingleton<IDashboardStore>(static sp => sp.GetRequiredService<PostgreSqlDashboardStore>());

        // The fraud workspace (alerts, triage, lists, audit) lives in the same schema, so every node's investigators share it.
        services.TryAddSingleton(static sp => new PostgreSqlFraudWorkspaceStore(sp.GetRequiredService<PostgreSqlDashboardStore>()));
        services.RemoveAll<IFraudWorkspaceStore>();
        services.AddSingleton<IFraudWorkspaceStore>(static sp => sp.GetRequiredService<PostgreSqlFraudWorkspaceStore>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, PostgreSqlSchemaInitializer>());
        return builder;
    }
}
