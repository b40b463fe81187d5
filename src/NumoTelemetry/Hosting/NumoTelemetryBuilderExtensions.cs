using Microsoft.Extensions.DependencyInjection.Extensions;
using NumoTelemetry;
using NumoTelemetry.Enrichment;
using NumoTelemetry.Pipeline;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds processors and enrichers of one's own to NumoTelemetry (the builder <c>AddNumoTelemetry</c> returns).</summary>
public static class NumoTelemetryBuilderExtensions
{
    /// <summary>
    /// Registers a processor of the pseudonymised request stream, run by the background pipeline on every batch
    /// (see <see cref="IRequestRecordProcessor"/>). Registering the same type twice adds it once.
    /// </summary>
    /// <typeparam name="TProcessor">The processor, registered as a singleton.</typeparam>
    /// <param name="builder">The NumoTelemetry builder.</param>
    /// <returns>The builder, for chaining.</returns>
    public static INumoTelemetryBuilder AddProcessor<TProcessor>(this INumoTelemetryBuilder builder)
        where TProcessor : class, IRequestRecordProcessor
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRequestRecordProcessor, TProcessor>());
        return builder;
    }

    /// <summary>
    /// Registers an enricher that adds facts about the client's address to each record while its capture is finished
    /// (see <see cref="IRequestEnricher"/>). Registering the same type twice adds it once.
    /// </summary>
    /// <typeparam name="TEnricher">The enricher, registered as a singleton.</typeparam>
    /// <param name="builder">The NumoTelemetry builder.</param>
    /// <returns>The builder, for chaining.</returns>
    public static INumoTelemetryBuilder AddEnricher<TEnricher>(this INumoTelemetryBuilder builder)
        where TEnricher : class, IRequestEnricher
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRequestEnricher, TEnricher>());
        return builder;
    }
}
