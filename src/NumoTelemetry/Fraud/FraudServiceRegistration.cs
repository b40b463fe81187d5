using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NumoTelemetry.Alerts;
using NumoTelemetry.Capture;
using NumoTelemetry.Fraud.Feedback;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pipeline;

namespace NumoTelemetry.Fraud;

/// <summary>
/// Registers fraud detection and alerting (called by <c>AddNumoTelemetry</c>). Everything with <c>TryAdd</c>: register your own
/// <see cref="IFraudStateStore"/> (for example the Redis one) or <see cref="IAlertSink"/>s before or after, as usual.
/// </summary>
internal static class FraudServiceRegistration
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NumoTelemetryOptions>, FraudOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NumoTelemetryOptions>, FeedbackOptionsValidator>());
        services.TryAddSingleton<FraudMetrics>();
        services.TryAddSingleton<AlertMetrics>(sp => sp.GetRequiredService<FraudMetrics>());
        services.TryAddSingleton(sp =>
        {
            var fraud = sp.GetRequiredService<IOptions<NumoTelemetryOptions>>().Value.Fraud;
            return new RiskCache(fraud.RiskCacheSize, fraud.ScoreHalfLife);
        });
        services.TryAddSingleton<ISubjectRisk>(sp => sp.GetRequiredService<RiskCache>());
        services.TryAddSingleton(sp => new FraudListBook(sp.GetRequiredService<IOptions<NumoTelemetryOptions>>().Value.Fraud.MaxListEntries));
        services.TryAddSingleton<FraudFeedback>();
        services.TryAddSingleton<IFraudFeedback>(static sp => sp.GetRequiredService<FraudFeedback>());
        services.TryAddSingleton<IRiskProvider>(static sp => new CachedRiskProvider(
            sp.GetRequiredService<RiskCache>(), sp.GetRequiredService<IOptions<NumoTelemetryOptions>>(), sp.GetRequiredService<FraudListBook>()));
        services.TryAddSingleton<IFraudStateStore>(sp =>
        {
            var fraud = sp.GetRequiredService<IOptions<NumoTelemetryOptions>>().Value.Fraud;
            return new InMemoryFraudStateStore(fraud.MaxSubjects, fraud.MaxStateBytes);
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertSink, LoggerAlertSink>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertSink, WebhookAlertSink>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertSink, SlackAlertSink>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertSink, TeamsAlertSink>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRequestRecordProcessor, FraudProcessor>());
    }
}
