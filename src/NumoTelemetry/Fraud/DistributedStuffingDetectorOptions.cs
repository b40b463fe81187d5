namespace NumoTelemetry.Fraud;

/// <summary>Distributed credential stuffing (reason <c>distributed-stuffing</c>): the stuffing pattern spread over many IPs of one network prefix or autonomous system.</summary>
public sealed class DistributedStuffingDetectorOptions
{
    /// <summary>Turns the detector on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>The sliding window.</summary>
    /// <value>Default: 1 hour.</value>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Distinct IPs of the prefix or AS with failed logins in the window.</summary>
    /// <value>Default: 10.</value>
    public int MinDistinctIps { get; set; } = 10;

    /// <summary>Distinct accounts with failed logins from the prefix or AS in the window.</summary>
    /// <value>Default: 20.</value>
    public int MinDistinctAccounts { get; set; } = 20;

    /// <summary>Share of the prefix's or AS's logins that failed.</summary>
    /// <value>Default: 0.8.</value>
    public double MinFailureRatio { get; set; } = 0.8;

    /// <summary>Risk points of a hit (see <see cref="FraudOptions.AlertScore"/>).</summary>
    /// <value>Default: 60.</value>
    public double Points { get; set; } = 60;
}
