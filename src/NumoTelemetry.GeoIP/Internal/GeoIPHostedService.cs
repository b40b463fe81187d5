using Microsoft.Extensions.Hosting;

namespace NumoTelemetry.GeoIP;

/// <summary>Opens the databases at start-up (a Required database that fails stops the start) and closes them at shutdown.</summary>
internal sealed class GeoIPHostedService(GeoIPLookup lookup) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lookup.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
