namespace NumoTelemetry.Fraud;

/// <summary>Many accounts per device (reason <c>accounts-per-device</c>): one visitor cookie logging in to or signing up many accounts.</summary>
public sealed class AccountsPerDeviceDetectorOptions
{
    /// <summary>Turns the detector on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>The sliding window.</summary>
    /// <value>Default: 24 hours.</value>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Distinct accounts from one visitor cookie in the window (a shared family computer has two or three).</summary>
    /// <value>Default: 5.</value>
    public int MinAccounts { get; set; } = 5;

    /// <summary>Risk points of a hit (see <see cref="FraudOptions.AlertScore"/>).</summary>
    /// <value>Default: 50.</value>
    public double Points { get; set; } = 50;
}
