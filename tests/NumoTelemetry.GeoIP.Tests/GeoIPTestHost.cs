using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NumoTelemetry.GeoIP.Tests;

/// <summary>Builds a started <see cref="GeoIPLookup"/> for tests.</summary>
internal static class GeoIPTestHost
{
    public static GeoIPLookup Start(Action<GeoIPOptions> configure, ILogger? logger = null, TimeProvider? time = null)
    {
        var options = new GeoIPOptions { WatchForChanges = false };
        configure(options);
        var lookup = new GeoIPLookup(options, null, logger ?? NullLogger.Instance, time ?? TimeProvider.System, null);
        lookup.Start();
        return lookup;
    }
}
