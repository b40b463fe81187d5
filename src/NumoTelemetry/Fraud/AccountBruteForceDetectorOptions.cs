namespace NumoTelemetry.Fraud;

/// <summary>Brute force on one account (reason <c>account-brute-force</c>): many failed logins for one account.</summary>
public sealed class AccountBruteForceDetectorOptions
{
    /// <summary>Turns the detector on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>The sliding window.</summary>
    /// <value>Default: 1 hour.</value>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Failed logins for the account in the window (a person who mistypes fails two or three times).</summary>
    /// <value>Default: 10.</value>
    public int MinFailures { get; set; } = 10;

    /// <summary>Risk points of a hit (see <see cref="FraudOptions.AlertScore"/>).</summary>
    /// <value>Default: 60.</value>
    public double Points { get; set; } = 60;
}
