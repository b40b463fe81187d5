using Microsoft.AspNetCore.Http;
using NumoTelemetry.Records;

namespace NumoTelemetry.Privacy;

/// <summary>How the consent level of a request is decided.</summary>
public sealed class ConsentOptions
{
    /// <summary>The level when the request carries no signal and no consent cookie.</summary>
    /// <value>Default: <see cref="ConsentLevel.AnalyticsWithoutCookies"/>.</value>
    public ConsentLevel DefaultLevel { get; set; } = ConsentLevel.AnalyticsWithoutCookies;

    /// <summary>Whether <c>Sec-GPC: 1</c> (Global Privacy Control) lowers the level to fraud prevention only.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool HonorGlobalPrivacyControl { get; set; } = true;

    /// <summary>Whether <c>DNT: 1</c> lowers the level to fraud prevention only.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool HonorDoNotTrack { get; set; } = true;

    /// <summary>
    /// The site's consent cookie. Its value selects the level: <c>full</c> (or <c>all</c>, <c>yes</c>, <c>1</c>),
    /// <c>analytics</c>, or <c>none</c> (or <c>fraud</c>, <c>no</c>, <c>0</c>). Other values are ignored.
    /// </summary>
    /// <value>Default: <c>numo_consent</c>.</value>
    public string? CookieName { get; set; } = "numo_consent";

    /// <summary>
    /// A callback deciding the level from the site's own consent management; <see langword="null"/> defers to the
    /// signals above. It runs on the request path: keep it cheap and allocation-free. Not bindable from configuration.
    /// </summary>
    public Func<HttpContext, ConsentLevel?>? Resolver { get; set; }
}
