namespace NumoTelemetry.Fraud;

/// <summary>Credential stuffing (reason <c>credential-stuffing</c>): many failed logins for many distinct accounts from one IP.</summary>
public sealed class CredentialStuffingDetectorOptions
{
    /// <summary>Turns the detector on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>The sliding window.</summary>
    /// <value>Default: 1 hour.</value>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Failed logins in the window.</summary>
    /// <value>Default: 10.</value>
    public int MinFailures { get; set; } = 10;

    /// <summary>Distinct accounts with failed logins in the window.</summary>
    /// <value>Default: 5.</value>
    public int MinDistinctAccounts { get; set; } = 5;

    /// <summary>Share of the IP's logins that failed (keeps NAT and proxies, whose users mostly succeed, out).</summary>
    /// <value>Default: 0.8.</value>
    public double MinFailureRatio { get; set; } = 0.8;

    /// <summary>Risk points of a hit (see <see cref="FraudOptions.AlertScore"/>).</summary>
    /// <value>Default: 60.</value>
    public double Points { get; set; } = 60;
}
