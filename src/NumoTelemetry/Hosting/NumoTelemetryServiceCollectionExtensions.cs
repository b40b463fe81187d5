using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NumoTelemetry;
using NumoTelemetry.Capture;
using NumoTelemetry.Enrichment;
using NumoTelemetry.Fraud;
using NumoTelemetry.Hosting;
using NumoTelemetry.Metrics;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.RequestLog;
using NumoTelemetry.UserAgents;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers NumoTelemetry.</summary>
public static class NumoTelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Adds NumoTelemetry with options bound from <paramref name="configuration"/> (usually
    /// <c>builder.Configuration.GetSection("NumoTelemetry")</c>). Options are validated at start-up.
    /// </summary>
    public static INumoTelemetryBuilder AddNumoTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<NumoTelemetryOptions>()
            .Configure(_ => KeyConfigurationValidator.ThrowIfUnbindable(configuration)) // before the binder's own, unnamed error
            .Bind(configuration);
        services.AddSingleton<IValidateOptions<NumoTelemetryOptions>>(new KeyConfigurationValidator(configuration)); // what binding drops
        return AddCore(services, configuration);
    }

    /// <summary>Adds NumoTelemetry configured in code.</summary>
    public static INumoTelemetryBuilder AddNumoTelemetry(this IServiceCollection services, Action<NumoTelemetryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<NumoTelemetryOptions>().Configure(configure);
        return AddCore(services, null);
    }

    /// <summary>Adds NumoTelemetry bound from <paramref name="configuration"/>, then adjusted by <paramref name="configure"/>.</summary>
    public static INumoTelemetryBuilder AddNumoTelemetry(this IServiceCollection services, IConfiguration configuration, Action<NumoTelemetryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddNumoTelemetry(configuration);
        services.Configure(configure);
        return builder;
    }

    private static NumoTelemetryBuilder AddCore(IServiceCollection services, IConfiguration? configuration)
    {
        services.AddOptions<NumoTelemetryOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NumoTelemetryOptions>, NumoTelemetryOptionsValidator>());
        services.TryAddSingleton<NumoTelemetryMarkerService>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();

        services.TryAddSingleton(sp => KeyRing.FromOptions(
            sp.GetRequiredService<IOptions<NumoTelemetryOptions>>().Value.Pseudonymization,
            sp.GetService<IHostEnvironment>()?.ContentRootPath));
        services.TryAddSingleton(sp => new Pseudonymizer(
            sp.GetRequiredService<KeyRing>(),
            sp.GetRequiredService<IOptions<NumoTelemetryOptions>>().Value.Pseudonymization));
        services.TryAddSingleton<IUserAgentParser>(sp => new UserAgentParser(sp.GetRequiredService<IOptions<NumoTelemetryOptions>>().Value.UserAgents));
        FraudServiceRegistration.Add(services); // the fraud engine's risk provider, before the null one below
        services.TryAddSingleton<IRiskProvider, NullRiskProvider>();
        services.TryAddSingleton<NumoTelemetryMetrics>();
        services.TryAddSingleton<ILossCounter>(static sp => sp.GetRequiredService<NumoTelemetryMetrics>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, UserAgentParserMetrics>());
        services.TryAddSingleton<IPseudonymLookup>(sp => new PseudonymLookup(sp.GetRequiredService<Pseudonymizer>()));
        services.TryAddSingleton(sp => new CaptureRules(sp.GetRequiredService<IOptions<NumoTelemetryOptions>>().Value, sp.GetRequiredService<Pseudonymizer>()));
        services.TryAddSingleton<RequestFinisher>();
        services.TryAddSingleton<RequestReader>();
        services.TryAddSingleton(sp => new RecordQueue(
            sp.GetRequiredService<IOptions<NumoTelemetryOptions>>().Value.Pipeline.QueueCapacity,
            sp.GetRequiredService<RequestFinisher>(),
            sp.GetRequiredService<NumoTelemetryMetrics>()));
        // Subject rights: the erasure folder honoured by the request log, account closure, the fraud engine's part of both.
        services.TryAddSingleton<NumoTelemetry.Fraud.FraudWorkQueue>();
        services.TryAddSingleton<NumoTelemetry.RequestLog.IRequestLogGateFactory, NumoTelemetry.SubjectRights.SubjectErasureGates>();
        services.TryAddSingleton<NumoTelemetry.Capture.IAccountClosedHandler, NumoTelemetry.SubjectRights.SubjectRightsService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRequestRecordProcessor, RequestLogProcessor>());
        services.TryAddSingleton<PipelineService>();
        services.AddHostedService<PipelineHostedService>();

        return new NumoTelemetryBuilder(services, configuration);
    }
}
