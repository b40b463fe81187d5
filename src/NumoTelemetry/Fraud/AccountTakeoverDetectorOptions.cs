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

    /// <summary>
    /// A <c>distributed-stuffing</c> signal on the login's AS is the whole network's (everyone on a big ISP, mobile carrier or VPN shares
    /// it): it makes a successful login a takeover only with evidence tying this login to the attack. One tie: the login's IP itself
    /// failed logins for at least this many distinct accounts in the credential-stuffing window (a person has one account)...
    /// </summary>
    /// <value>Default: 2.</value>
    public int MinClientFailedAccounts { get; set; } = 2;

    /// <summary>
    /// ...with at least this share of its logins failing (a shared address with many people logging in is not a bot). Also the share of
    /// failing logins in the last hour that keeps an IP prefix's <c>distributed-stuffing</c> signal valid for a takeover (the signal
    /// decays over hours; the attack on that prefix may be long over).
    /// </summary>
    /// <value>Default: 0.5.</value>
    public double MinClientFailureRatio { get; set; } = 0.5;

    /// <summary>
    /// The other tie: the account itself had at least this many failed logins in the brute-force window (it was targeted) and the success
    /// comes from an IP that none of its recent login attempts used (not the user who mistyped on the same device). 0 turns this tie off.
    /// </summary>
    /// <value>Default: 1.</value>
    public int MinTargetedAccountFailures { get; set; } = 1;

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
