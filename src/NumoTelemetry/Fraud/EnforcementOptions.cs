using Microsoft.AspNetCore.Http;

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
    /// The challenge hook for <see cref="EnforcementMode.Challenge"/>: return <see langword="true"/> when it
    /// answered the request (for example with a CAPTCHA page), <see langword="false"/> to let it through.
    /// Not bindable from configuration.
    /// </summary>
    public Func<HttpContext, NumoRisk, ValueTask<bool>>? Challenge { get; set; }
}
