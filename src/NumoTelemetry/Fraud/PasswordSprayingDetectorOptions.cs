namespace NumoTelemetry.Fraud;

/// <summary>Password spraying (reason <c>password-spraying</c>): failed logins for many distinct accounts from one IP, at low rate over a long window.</summary>
public sealed class PasswordSprayingDetectorOptions
{
    /// <summary>Turns the detector on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>The sliding window.</summary>
    /// <value>Default: 24 hours.</value>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Distinct accounts with failed logins in the window.</summary>
    /// <value>Default: 20.</value>
    public int MinDistinctAccounts { get; set; } = 20;

    /// <summary>Share of the IP's logins in the window that failed.</summary>
    /// <value>Default: 0.8.</value>
    public double MinFailureRatio { get; set; } = 0.8;

    /// <summary>Risk points of a hit (see <see cref="FraudOptions.AlertScore"/>).</summary>
    /// <value>Default: 60.</value>
    public double Points { get; set; } = 60;
}
