namespace NumoTelemetry.Fraud;

/// <summary>Account takeover: a successful login right after a stuffing signal (reason <c>ato-after-stuffing</c>), or from a new country, AS and device at once (reason <c>ato-new-context</c>); each new factor alone is a small risk factor (<c>new-device</c>, <c>new-country</c>, <c>new-asn</c>).</summary>
public sealed class AccountTakeoverDetectorOptions
{
    /// <summary>Turns the detector on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Risk points of a login after a stuffing signal.</summary>
    /// <value>Default: 70.</value>
    public double Points { get; set; } = 70;

    /// <summary>Failed logins for the account in the brute-force window before the success that make it suspicious...</summary>
    /// <value>Default: 5.</value>
    public int MinAccountFailures { get; set; } = 5;

    /// <summary>...when they came from at least this many distinct IPs.</summary>
    /// <value>Default: 3.</value>
    public int MinAccountFailedIps { get; set; } = 3;

    /// <summary>Risk points of a login from a new country, a new AS and a new device at once, for an account with history.</summary>
    /// <value>Default: 50.</value>
    public double NewContextPoints { get; set; } = 50;

    /// <summary>Risk points of each new factor (device, country, AS) alone: a risk factor, never an alert by itself.</summary>
    /// <value>Default: 8.</value>
    public double NewFactorPoints { get; set; } = 8;

    /// <summary>How long an account's known devices, countries, AS numbers and last login are kept.</summary>
    /// <value>Default: 30 days.</value>
    public TimeSpan ProfileRetention { get; set; } = TimeSpan.FromDays(30);
}
