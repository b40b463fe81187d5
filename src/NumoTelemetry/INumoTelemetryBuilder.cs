using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace NumoTelemetry;

/// <summary>Returned by <c>AddNumoTelemetry</c>: add-ons (<c>AddGeoIP</c>, <c>AddRedis</c>, ...) extend it.</summary>
public interface INumoTelemetryBuilder
{
    /// <summary>The application's services.</summary>
    IServiceCollection Services { get; }

    /// <summary>The <c>NumoTelemetry</c> configuration section when one was given, so add-ons can bind their sub-sections.</summary>
    IConfiguration? Configuration { get; }
}
