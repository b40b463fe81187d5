namespace NumoTelemetry.Dashboard;

/// <summary>
/// Options of the analyst dashboard, bound from <c>NumoTelemetry:Dashboard</c>. Validated at start-up.
/// </summary>
public sealed class DashboardOptions
{
    /// <summary>The configuration section name below <c>NumoTelemetry</c>.</summary>
    public const string SectionName = "Dashboard";

    /// <summary>
    /// The name of the authorization policy that guards the dashboard and its API. Required: mapping the
    /// dashboard without one is a start-up error unless <see cref="AllowAnonymousInDevelopment"/> is set and the
    /// host environment is Development.
    /// </summary>
    /// <value>Default: <see langword="null"/> (must be configured).</value>
    public string? AuthorizationPolicy { get; set; }

    /// <summary>
    /// Lets the dashboard be mapped without an authorization policy when the host environment is Development.
    /// Ignored (and the start-up error stands) in every other environment.
    /// </summary>
    /// <value>Default: <see langword="false"/>.</value>
    public bool AllowAnonymousInDevelopment { get; set; }

    /// <summary>The SQLite database file; a relative path is under the content root.</summary>
    /// <value>Default: <c>App_Data/numo-dashboard.db</c>.</value>
    public string DatabasePath { get; set; } = "App_Data/numo-dashboard.db";

    /// <summary>How often the background consumer writes its buffered aggregates (one transaction each time).</summary>
    /// <value>Default: 5 seconds.</value>
    public TimeSpan WriteInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Days minute buckets are kept.</summary>
    /// <value>Default: 2.</value>
    public int MinuteRetentionDays { get; set; } = 2;

    /// <summary>Days hour buckets are kept.</summary>
    /// <value>Default: 45.</value>
    public int HourRetentionDays { get; set; } = 45;

    /// <summary>Days day buckets are kept.</summary>
    /// <value>Default: 400.</value>
    public int DayRetentionDays { get; set; } = 400;

    /// <summary>
    /// k of k-anonymity: a cell built from fewer than this many distinct pseudonyms is shown as "&lt; k", and further
    /// cells are suppressed where a total would let a suppressed one be derived by subtraction.
    /// </summary>
    /// <value>Default: 5.</value>
    public int MinimumCellSize { get; set; } = 5;

    /// <summary>
    /// ε of the optional Laplace noise added to every released count (smaller is more private and noisier);
    /// <see langword="null"/> turns noise off. Each released count spends ε; repeated identical queries return
    /// the same noise (it is derived from a per-process key), so averaging them does not remove it.
    /// </summary>
    /// <value>Default: <see langword="null"/> (off).</value>
    public double? NoiseEpsilon { get; set; }

    /// <summary>
    /// The L1 sensitivity of a released count: how much one person can change it. The noise scale is
    /// <c>NoiseSensitivity / NoiseEpsilon</c>. For visitor counts 1 is exact; for page views it is the number of
    /// views one person contributes to a cell, so raise it for stronger guarantees on busy visitors.
    /// </summary>
    /// <value>Default: 1.</value>
    public double NoiseSensitivity { get; set; } = 1;

    /// <summary>Idle time after which an analytics visitor's next page view starts a new visit.</summary>
    /// <value>Default: 30 minutes.</value>
    public TimeSpan VisitTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Upper bound on visits tracked in memory at once (oldest are closed first beyond it).</summary>
    /// <value>Default: 200,000.</value>
    public int MaxTrackedVisits { get; set; } = 200_000;

    /// <summary>
    /// Distinct values kept per dimension per day; further values are counted as <c>(other)</c>. Half of them go to
    /// values on first sight; the rest only to values sent by a second client. Each client (network prefix) may
    /// introduce or confirm at most 8 values per dimension per day beyond those already admitted (being the second
    /// client to send a value takes one too, and admission gives none back), so one client cannot fill them, nor can a
    /// few clients confirming each other's values: they take at most 8 slots each.
    /// </summary>
    /// <value>Default: 500.</value>
    public int MaxValuesPerDimension { get; set; } = 500;

    /// <summary>Longest dimension value kept (referrer hosts, campaign names, ...); longer ones are cut.</summary>
    /// <value>Default: 100 characters.</value>
    public int MaxValueLength { get; set; } = 100;

    /// <summary>
    /// Route template prefixes that are not counted (monitoring and the dashboard itself). The dashboard's own prefix
    /// is added by <c>MapNumoTelemetryDashboard</c>.
    /// </summary>
    /// <value>Default: <c>/metrics</c>, <c>/health</c>.</value>
    public IList<string> ExcludedRoutePrefixes { get; } = ["/metrics", "/health"];

    /// <summary>Minutes shown in the live view.</summary>
    /// <value>Default: 30.</value>
    public int LiveMinutes { get; set; } = 30;

    /// <summary>
    /// Whether the latest-alerts table shows the pseudonym of each alert's subject (for fraud analysts). Off, the
    /// table shows rule, severity, score and subject kind only.
    /// </summary>
    /// <value>Default: <see langword="false"/>.</value>
    public bool ShowAlertSubjects { get; set; }

    /// <summary>
    /// Goals: pages reached and events raised, listed with their visitors and conversion rate
    /// (<c>api/top?dim=goal</c>). See <see cref="DashboardGoal"/>.
    /// </summary>
    public IList<DashboardGoal> Goals { get; } = [];

    /// <summary>Funnels counted as visitors pass their steps (<c>api/funnel</c>). See <see cref="DashboardFunnel"/>.</summary>
    public IList<DashboardFunnel> Funnels { get; } = [];

    /// <summary>
    /// The site's time zone (an IANA or Windows id) in which <c>from=</c>/<c>to=</c> dates are read and days are shown.
    /// </summary>
    /// <value>Default: <c>UTC</c>.</value>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>
    /// Where the page's sign-out control posts (a path of the site that signs the analyst out), or
    /// <see langword="null"/> for no control.
    /// </summary>
    /// <value>Default: <see langword="null"/>.</value>
    public string? SignOutPath { get; set; }

    /// <summary>
    /// The name of the authorization policy for fraud investigators: the workspace (alert inbox and detail, triage, allow and
    /// deny lists, subject timelines, audit trail) at <c>{prefix}/fraud/</c> and its API under <c>{prefix}/api</c>. Distinct
    /// from <see cref="AuthorizationPolicy"/>: analysts see k-anonymous aggregates only, investigators see pseudonymous,
    /// subject-level data; a user may hold both. Unset, the workspace is not mapped. Never anonymous, not even in Development.
    /// </summary>
    /// <value>Default: <see langword="null"/> (no workspace).</value>
    public string? FraudPolicy { get; set; }

    /// <summary>
    /// The name of the stronger authorization policy for looking a raw value (IP, user name, e-mail, phone) up: the server
    /// pseudonymises it under the live keys and opens the subject's timeline; each lookup is audited (who, when, which kind,
    /// never the value). Required in addition to <see cref="FraudPolicy"/>. Unset, lookups are not mapped.
    /// </summary>
    /// <value>Default: <see langword="null"/> (no lookups).</value>
    public string? FraudLookupPolicy { get; set; }

    /// <summary>Days the workspace keeps an alert (with its triage history) after it was last seen.</summary>
    /// <value>Default: 180.</value>
    public int FraudAlertRetentionDays { get; set; } = 180;

    /// <summary>Days the workspace keeps its audit trail (lookups, reviews, list changes).</summary>
    /// <value>Default: 400.</value>
    public int FraudAuditRetentionDays { get; set; } = 400;

    /// <summary>Subjects whose recent requests are kept in memory for their timeline; beyond it the least recently seen goes (counted in <c>numo.dashboard.timeline.evictions</c>).</summary>
    /// <value>Default: 20,000.</value>
    public int TimelineSubjects { get; set; } = 20_000;

    /// <summary>Recent requests kept per subject for its timeline (oldest go first).</summary>
    /// <value>Default: 50.</value>
    public int TimelineRequestsPerSubject { get; set; } = 50;

    /// <summary>How long a request stays in the subjects' timelines (memory only; never written).</summary>
    /// <value>Default: 24 hours.</value>
    public TimeSpan TimelineRetention { get; set; } = TimeSpan.FromHours(24);
}
