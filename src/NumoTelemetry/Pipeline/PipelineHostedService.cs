using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace NumoTelemetry.Pipeline;

/// <summary>
/// Starts and stops the <see cref="PipelineService"/>, but only when NumoTelemetry is enabled: with
/// <c>Enabled: false</c> nothing is resolved (the processors need the key ring, which needs a key).
/// </summary>
internal sealed class PipelineHostedService(IServiceProvider services, IOptions<NumoTelemetryOptions> options) : IHostedService
{
    private PipelineService? _pipeline;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return Task.CompletedTask;
        }

        _pipeline = services.GetRequiredService<PipelineService>();
        return _pipeline.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _pipeline?.StopAsync(cancellationToken) ?? Task.CompletedTask;
}
