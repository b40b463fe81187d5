using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace NumoTelemetry.Hosting;

internal sealed class NumoTelemetryBuilder(IServiceCollection services, IConfiguration? configuration) : INumoTelemetryBuilder
{
    public IServiceCollection Services { get; } = services;

    public IConfiguration? Configuration { get; } = configuration;
}
