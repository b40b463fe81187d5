namespace NumoTelemetry.Fraud;

/// <summary>Impossible travel (reason <c>impossible-travel</c>): two consecutive logins of one account further apart than an airliner could fly, after taking off both locations' accuracy radii.</summary>
public sealed class ImpossibleTravelDetectorOptions
{
    /// <summary>Turns the detector on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>The fastest plausible speed (km/h): above a long-haul airliner's ground speed.</summary>
    /// <value>Default: 1000.</value>
    public double MaxSpeedKmh { get; set; } = 1000;

    /// <summary>Distance (after the accuracy radii) below which travel is never flagged (GeoIP jitter, neighbouring cities).</summary>
    /// <value>Default: 500.</value>
    public double MinDistanceKm { get; set; } = 500;

    /// <summary>Risk points of a hit (see <see cref="FraudOptions.AlertScore"/>).</summary>
    /// <value>Default: 60.</value>
    public double Points { get; set; } = 60;

    /// <summary>Whether logins from VPNs, proxies, Tor or hosting networks are left out (their location says nothing); those networks are risk factors of their own.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool SkipAnonymousNetworks { get; set; } = true;
}
