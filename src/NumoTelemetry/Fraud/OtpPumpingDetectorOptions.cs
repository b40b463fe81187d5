namespace NumoTelemetry.Fraud;

/// <summary>
/// SMS / one-time-code pumping (toll fraud; reasons <c>otp-pumping</c>, <c>otp-sequential</c>, <c>otp-new-destination</c>): codes
/// requested for many numbers of one prefix, or by one IP, session or visitor, and seldom entered; consecutive numbers; destinations the
/// site rarely sends to. Fed by <c>HttpContext.NumoSignals().OtpRequested(phone)</c> and <c>.OtpVerified(phone)</c>.
/// </summary>
public sealed class OtpPumpingDetectorOptions
{
    /// <summary>Turns the detector on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>The window of code requests, verifications and distinct numbers (per prefix, IP, session and visitor).</summary>
    /// <value>Default: 1 hour.</value>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Codes requested for one prefix in <see cref="Window"/> from which its conversion is judged.</summary>
    /// <value>Default: 10.</value>
    public int PrefixMinRequests { get; set; } = 10;

    /// <summary>The same for a prefix of a new or unusual destination country (see <see cref="UnusualDestinationBelow"/>).</summary>
    /// <value>Default: 5.</value>
    public int UnusualPrefixMinRequests { get; set; } = 5;

    /// <summary>Distinct numbers of one prefix from which its conversion is judged (one person asking again is not pumping).</summary>
    /// <value>Default: 5.</value>
    public int PrefixMinDistinctNumbers { get; set; } = 5;

    /// <summary>Distinct numbers asked for by one IP, in <see cref="Window"/>, from which its conversion is judged.</summary>
    /// <value>Default: 5.</value>
    public int ClientMinDistinctNumbers { get; set; } = 5;

    /// <summary>Distinct numbers asked for by one session or visitor (a person has one or two numbers) from which its conversion is judged.</summary>
    /// <value>Default: 3.</value>
    public int DeviceMinDistinctNumbers { get; set; } = 3;

    /// <summary>
    /// Pumping when the share of codes entered is at most this fraction of the site's learned conversion (0.25: a quarter of it; real
    /// users enter most codes, pumped codes are never entered).
    /// </summary>
    /// <value>Default: 0.25.</value>
    public double MaxConversionRatio { get; set; } = 0.25;

    /// <summary>The site's conversion assumed until <see cref="BaselineMinRequests"/> codes have been seen.</summary>
    /// <value>Default: 0.7.</value>
    public double DefaultConversion { get; set; } = 0.7;

    /// <summary>Codes the site must have sent before its own conversion replaces <see cref="DefaultConversion"/>.</summary>
    /// <value>Default: 200.</value>
    public int BaselineMinRequests { get; set; } = 200;

    /// <summary>Distinct numbers of one prefix from which consecutive numbers are judged.</summary>
    /// <value>Default: 8.</value>
    public int SequentialMinNumbers { get; set; } = 8;

    /// <summary>
    /// Consecutive numbers: at least this many distinct numbers per block of 100 consecutive numbers, on average (random numbers of a
    /// prefix almost never share a block).
    /// </summary>
    /// <value>Default: 4.</value>
    public double SequentialNumbersPerBlock { get; set; } = 4;

    /// <summary>How long the site's destinations (country calling codes) are remembered.</summary>
    /// <value>Default: 30 days.</value>
    public TimeSpan DestinationHistory { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A calling code with fewer codes than this in <see cref="DestinationHistory"/> is a new or unusual destination.</summary>
    /// <value>Default: 20.</value>
    public int UnusualDestinationBelow { get; set; } = 20;

    /// <summary>Codes the site must have sent in <see cref="DestinationHistory"/> before any destination counts as new (warm-up).</summary>
    /// <value>Default: 500.</value>
    public int DestinationWarmUpRequests { get; set; } = 500;

    /// <summary>Risk points of a pumping verdict (see <see cref="FraudOptions.AlertScore"/>).</summary>
    /// <value>Default: 60.</value>
    public double Points { get; set; } = 60;

    /// <summary>Risk points of consecutive numbers (a verdict).</summary>
    /// <value>Default: 60.</value>
    public double SequentialPoints { get; set; } = 60;

    /// <summary>Risk points of a code for a new or unusual destination country (a risk factor, on the prefix).</summary>
    /// <value>Default: 20.</value>
    public double NewDestinationPoints { get; set; } = 20;
}
