using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud;

/// <summary>
/// Fraud detection options (<c>NumoTelemetry:Fraud</c>). Every detector has its own section with its thresholds and
/// points; the defaults and their rationale are documented in docs/fraud.md.
/// </summary>
public sealed class FraudOptions
{
    /// <summary>Turns fraud detection on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Most subjects (IPs, prefixes, sessions, visitors, accounts, AS numbers) the in-memory state keeps. Beyond it, subjects
    /// seen in one request only go first, then subjects seen again; subjects with evidence (accounts, logins, verdicts) last.
    /// </summary>
    /// <value>Default: 1,000,000 (about the memory in docs/fraud.md).</value>
    public int MaxSubjects { get; set; } = 1_000_000;

    /// <summary>The default of <see cref="MaxStateBytes"/>: 1 GiB.</summary>
    public const long DefaultMaxStateBytes = 1L << 30;

    /// <summary>
    /// Most bytes the in-memory state's subjects may hold (their slots, feature blocks and sketches), whatever their number.
    /// A typical subject holds about 250 bytes, but one with many distinct values of a feature (paths, say) up to a few KiB
    /// more: without this bound, a client that makes many such subjects (from many IPv6 /64s) could grow the state far past
    /// <see cref="MaxSubjects"/> times the typical size. Beyond it, while heavy counts hold more than half of it, the addresses,
    /// prefixes, sessions and visitors holding them go first (least recently used first); otherwise subjects are evicted as
    /// beyond <see cref="MaxSubjects"/>. Must hold <see cref="MaxSubjects"/> typical subjects (256 bytes each).
    /// </summary>
    /// <value>Default: 1 GiB (<see cref="DefaultMaxStateBytes"/>), four times what 1,000,000 typical subjects hold.</value>
    public long MaxStateBytes { get; set; } = DefaultMaxStateBytes;

    /// <summary>Slots of the lock-free risk cache read on the request hot path (rounded up to a power of two). Only subjects with risk take a slot.</summary>
    /// <value>Default: 65,536.</value>
    public int RiskCacheSize { get; set; } = 65_536;

    /// <summary>The analysis window of per-IP access patterns (distinct paths, missing paths, status mix, cookie churn, timing).</summary>
    /// <value>Default: 10 minutes.</value>
    public TimeSpan AnalysisWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The long analysis window of per-IP and per-prefix access patterns (distinct paths, distinct missing paths, status mix, clients):
    /// crawling and scanning spread over hours, below the rates <see cref="AnalysisWindow"/> sees. A sliding window of two generations
    /// of half its length, so it looks back between half of it and all of it. It costs three state operations per request on the IP
    /// and three on its prefix, and keeps IPs and prefixes in state that long; <see cref="TimeSpan.Zero"/> turns it off (and slow
    /// crawling and scanning detection with it).
    /// </summary>
    /// <value>Default: 6 hours.</value>
    public TimeSpan LongAnalysisWindow { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// Sessions and User-Agents behind one IP count as evidence of distinct clients (so a busy carrier-grade NAT or corporate proxy
    /// without cookies is not one "client" making thousands of requests) only when each makes at least this many requests on average
    /// in <see cref="AnalysisWindow"/>: a bot that rotates them on every request, or every other, gains nothing. Verified visitor
    /// cookies and accounts with a successful login always count.
    /// </summary>
    /// <value>Default: 3.</value>
    public double MinRequestsPerClientEvidence { get; set; } = 3;

    /// <summary>
    /// The share of an account-level verdict's points (account takeover, impossible travel, brute force on an account) given to the
    /// request's session and visitor, so the site's in-request risk (<c>HttpContext.GetNumoRisk()</c>) and enforcement see it. These
    /// shares never open alerts of their own. 0 turns this off.
    /// </summary>
    /// <value>Default: 0.6.</value>
    public double AccountRiskShare { get; set; } = 0.6;

    /// <summary>The half-life of risk scores: a subject's score halves every this long without new hits.</summary>
    /// <value>Default: 1 hour.</value>
    public TimeSpan ScoreHalfLife { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The score from which a subject is in the <see cref="RiskBand.Watch"/> band.</summary>
    /// <value>Default: 25.</value>
    public double WatchScore { get; set; } = 25;

    /// <summary>The score from which a subject is in the <see cref="RiskBand.Alert"/> band: a detector verdict at or above it alerts the fraud team.</summary>
    /// <value>Default: 50.</value>
    public double AlertScore { get; set; } = 50;

    /// <summary>The score from which a subject is in the <see cref="RiskBand.Page"/> band (urgent).</summary>
    /// <value>Default: 90.</value>
    public double PageScore { get; set; } = 90;

    /// <summary>How much more than its base points a detector may give for an attack far above its threshold (points × up to this factor).</summary>
    /// <value>Default: 1.6 (an attack 16 times the threshold reaches the page band from a 60-point detector).</value>
    public double MaxEscalation { get; set; } = 1.6;

    /// <summary>Request bursts.</summary>
    public BurstDetectorOptions Burst { get; set; } = new();

    /// <summary>Crawling.</summary>
    public CrawlingDetectorOptions Crawling { get; set; } = new();

    /// <summary>Scanners.</summary>
    public ScannerDetectorOptions Scanner { get; set; } = new();

    /// <summary>Credential stuffing from one IP.</summary>
    public CredentialStuffingDetectorOptions CredentialStuffing { get; set; } = new();

    /// <summary>Password spraying at low rate.</summary>
    public PasswordSprayingDetectorOptions PasswordSpraying { get; set; } = new();

    /// <summary>Credential stuffing spread over a prefix or AS.</summary>
    public DistributedStuffingDetectorOptions DistributedStuffing { get; set; } = new();

    /// <summary>Brute force on one account.</summary>
    public AccountBruteForceDetectorOptions AccountBruteForce { get; set; } = new();

    /// <summary>Account takeover.</summary>
    public AccountTakeoverDetectorOptions AccountTakeover { get; set; } = new();

    /// <summary>Impossible travel.</summary>
    public ImpossibleTravelDetectorOptions ImpossibleTravel { get; set; } = new();

    /// <summary>Session hijack.</summary>
    public SessionHijackDetectorOptions SessionHijack { get; set; } = new();

    /// <summary>Many accounts per device.</summary>
    public AccountsPerDeviceDetectorOptions AccountsPerDevice { get; set; } = new();

    /// <summary>Cookie churn.</summary>
    public CookieChurnDetectorOptions CookieChurn { get; set; } = new();

    /// <summary>Robotic request timing (a risk factor).</summary>
    public RoboticTimingDetectorOptions RoboticTiming { get; set; } = new();

    /// <summary>Network and client risk factors (fake crawler, hosting, anonymous networks).</summary>
    public RiskFactorOptions RiskFactors { get; set; } = new();

    /// <summary>
    /// Most allow-list and deny-list entries held (<see cref="Feedback.IFraudFeedback"/>); adding one more is refused. Each node keeps
    /// a copy of them all, read on every request.
    /// </summary>
    /// <value>Default: 100,000.</value>
    public int MaxListEntries { get; set; } = 100_000;

    /// <summary>
    /// Per-detector settings by detector name (its options section: <c>Burst</c>, <c>Crawling</c>, ..., <c>RiskFactors</c>):
    /// <c>NumoTelemetry:Fraud:Detectors:Burst:Mode = Observe</c>. A detector not named here keeps <see cref="Feedback.DetectorMode.Enforce"/>.
    /// </summary>
    public Dictionary<string, Feedback.DetectorOptions> Detectors { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>SMS / one-time-code pumping.</summary>
    public OtpPumpingDetectorOptions OtpPumping { get; set; } = new();

    /// <summary>Site-wide anomalies against the learned baseline.</summary>
    public SiteAnomalyDetectorOptions SiteAnomaly { get; set; } = new();

    /// <summary>Scrapers rotating User-Agents.</summary>
    public UaRotationDetectorOptions UaRotation { get; set; } = new();

    /// <summary>The band of a score under these options.</summary>
    public RiskBand BandOf(double score) =>
        score >= PageScore ? RiskBand.Page : score >= AlertScore ? RiskBand.Alert : score >= WatchScore ? RiskBand.Watch : RiskBand.None;
}
