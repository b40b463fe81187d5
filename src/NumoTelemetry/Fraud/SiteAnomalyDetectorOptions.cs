namespace NumoTelemetry.Fraud;

/// <summary>
/// Site-wide anomalies (subject <c>site</c>; reasons <c>site-login-failures</c>, <c>site-unknown-account-failures</c>,
/// <c>site-signups</c>, <c>site-otp-requests</c>, <c>site-404</c>): a rate of the whole stream far above its learned baseline — the
/// median of the same hour of day over the last days when there is that history, else an exponentially weighted mean. Every measure is a
/// rate (unresolved failed logins and failed logins for accounts never seen, per login; sign-ups and 404 answers per request; numbers
/// sent a code that was never entered, per number), so a traffic spike with the usual mix is not an anomaly. Attacks spread so thin that no IP, prefix or
/// AS crosses a threshold still move these.
/// </summary>
/// <remarks>The baseline is learned in process: each node learns from the traffic it sees, and a restarted node warms up again.</remarks>
public sealed class SiteAnomalyDetectorOptions
{
    /// <summary>Turns the detector on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>The sliding window whose rates are compared with the baseline (re-evaluated every minute).</summary>
    /// <value>Default: 15 minutes.</value>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Failed logins and codes are judged this long after they happened, so a login that fails and then succeeds (a forced password reset)
    /// or a code entered a minute late is not counted as failing.
    /// </summary>
    /// <value>Default: 5 minutes.</value>
    public TimeSpan Grace { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Traffic the detector must have seen before it judges anything (warm-up).</summary>
    /// <value>Default: 12 hours.</value>
    public TimeSpan WarmUp { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Days of the same hour of day needed before their median is the baseline (else the weighted mean over all hours).</summary>
    /// <value>Default: 3.</value>
    public int MinHourHistoryDays { get; set; } = 3;

    /// <summary>Days of hourly history kept per hour of day.</summary>
    /// <value>Default: 7.</value>
    public int HistoryDays { get; set; } = 7;

    /// <summary>Events in the window (failed logins, sign-ups, codes, 404s) below which nothing is judged (a night's handful is no anomaly).</summary>
    /// <value>Default: 10.</value>
    public int MinEvents { get; set; } = 10;

    /// <summary>An anomaly needs at least this multiple of the expected rate.</summary>
    /// <value>Default: 3.</value>
    public double MinFactor { get; set; } = 3;

    /// <summary>
    /// And the observed count at least this many deviations above the expected count: Poisson (square root of the expected count) or the
    /// baseline's own spread (1.4826 × median absolute deviation of the hour's history), whichever is larger.
    /// </summary>
    /// <value>Default: 4.</value>
    public double Deviations { get; set; } = 4;

    /// <summary>Risk points of an anomaly (a verdict on the site).</summary>
    /// <value>Default: 60.</value>
    public double Points { get; set; } = 60;
}
