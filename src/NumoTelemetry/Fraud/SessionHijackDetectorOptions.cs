namespace NumoTelemetry.Fraud;

/// <summary>Session hijack (reason <c>session-hijack</c>): one session id from a different network (prefix, and AS or country) and a different User-Agent.</summary>
/// <remarks>A phone moving from Wi-Fi to a cellular network changes network but not User-Agent; a browser update changes User-Agent but not network. Only both together is a hijack.</remarks>
public sealed class SessionHijackDetectorOptions
{
    /// <summary>Turns the detector on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a session's last network and device are kept.</summary>
    /// <value>Default: 12 hours.</value>
    public TimeSpan SessionRetention { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Risk points of a hit (see <see cref="FraudOptions.AlertScore"/>).</summary>
    /// <value>Default: 70.</value>
    public double Points { get; set; } = 70;
}
