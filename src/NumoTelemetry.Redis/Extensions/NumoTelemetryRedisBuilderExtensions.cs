using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NumoTelemetry;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud.Feedback;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Fleet mode: <c>AddNumoTelemetry(...).AddRedis(o =&gt; o.Configuration = "127.0.0.1:6379")</c>.</summary>
public static class NumoTelemetryRedisBuilderExtensions
{
    /// <summary>
    /// Keeps fraud detection state in Redis, shared by every node that uses the same Redis, key prefix and pseudonymisation key.
    /// Binds <c>NumoTelemetry:Redis</c> when <c>AddNumoTelemetry</c> was given configuration.
    /// </summary>
    public static INumoTelemetryBuilder AddRedis(this INumoTelemetryBuilder builder) => AddRedis(builder, static _ => { });

    /// <summary>
    /// Keeps fraud detection state in Redis, shared by every node that uses the same Redis, key prefix and pseudonymisation key.
    /// Binds <c>NumoTelemetry:Redis</c> when <c>AddNumoTelemetry</c> was given configuration, then applies <paramref name="configure"/>.
    /// </summary>
    public static INumoTelemetryBuilder AddRedis(this INumoTelemetryBuilder builder, Action<RedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = builder.Services.AddOptions<RedisOptions>();
        if (builder.Configuration is not null)
        {
            options.Bind(builder.Configuration.GetSection("Redis"));
        }

        options.Configure(configure);

        return AddCore(builder);
    }

    /// <summary>Keeps fraud detection state in Redis, with options bound from <paramref name="configuration"/> (a <c>Redis</c> section).</summary>
    public static INumoTelemetryBuilder AddRedis(this INumoTelemetryBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        builder.Services.AddOptions<RedisOptions>().Bind(configuration);
        return AddCore(builder);
    }

    private static INumoTelemetryBuilder AddCore(INumoTelemetryBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RedisOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RedisConnection>();
        services.TryAddSingleton<RedisMetrics>();
        services.TryAddSingleton<RedisFraudStateStore>();
        services.RemoveAll<IFraudStateStore>();
        services.AddSingleton<IFraudStateStore>(static sp => sp.GetRequiredService<RedisFraudStateStore>());
        services.TryAddSingleton<RedisFraudLists>();
        services.RemoveAll<IFraudListReplica>();
        services.AddSingleton<IFraudListReplica>(static sp => sp.GetRequiredService<RedisFraudLists>());
        services.RemoveAll<IAlertDeduplicator>();
        services.AddSingleton<IAlertDeduplicator, RedisAlertDeduplicator>();
        return builder;
    }
}
