using Microsoft.AspNetCore.Http;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud;

/// <summary>Optional in-request enforcement on the fraud risk. Off by default (monitor mode).</summary>
public sealed class EnforcementOptions
{
    /// <summary>The mode.</summary>
    /// <value>Default: <see cref="EnforcementMode.Monitor"/>.</value>
    public EnforcementMode Mode { get; set; } = EnforcementMode.Monitor;

    /// <summary>The lowest band that is enforced.</summary>
    /// <value>Default: <see cref="RiskBand.Page"/>.</value>
    public RiskBand MinimumBand { get; set; } = RiskBand.Page;

    /// <summary>The status code of a blocked request.</summary>
    /// <value>Default: 429.</value>
    public int StatusCode { get; set; } = StatusCodes.Status429TooManyRequests;

    /// <summary>
    /// The <c>Retry-After</c> of a blocked request (whole seconds, rounded up): about how long a subject's risk takes to decay
    /// below the band is the site's call; a client that honours it comes back later rather than at once.
    /// </summary>
    /// <value>Default: 60 seconds.</value>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The site's own blocked page for <see cref="EnforcementMode.Block"/>: called with the status code and <c>Retry-After</c>
    /// already set, it writes the response (and may change both). When it is not set — or throws before the response has
    /// started, which is logged and counted as <c>numo.errors{numo.stage=enforcement_page}</c> — the answer is an RFC 9457
    /// problem details body (<c>application/problem+json</c>; through the site's <c>IProblemDetailsService</c> when it
    /// registered one), which says the request was refused and nothing about why: no score, band or reason an attacker could
    /// tune against. The <see cref="NumoRisk"/> is the site's to use or not. Not bindable from configuration.
    /// </summary>
    public Func<HttpContext, NumoRisk, ValueTask>? OnBlocked { get; set; }

    /// <summary>
    /// The challenge hook for <see cref="EnforcementMode.Challenge"/>: return <see langword="true"/> when it
    /// answered the request (for example with a CAPTCHA page), <see langword="false"/> to let it through.
    /// Not bindable from configuration.
    /// </summary>
    public Func<HttpContext, NumoRisk, ValueTask<bool>>? Challenge { get; set; }
}
