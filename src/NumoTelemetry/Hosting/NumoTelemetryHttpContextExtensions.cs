using NumoTelemetry.Capture;
using NumoTelemetry.Records;

namespace Microsoft.AspNetCore.Http;

/// <summary>NumoTelemetry's per-request API on <see cref="HttpContext"/>.</summary>
public static class NumoTelemetryHttpContextExtensions
{
    /// <summary>The signals API: <c>HttpContext.NumoSignals().LoginFailed(userName)</c>.</summary>
    public static RequestSignals NumoSignals(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new RequestSignals(context);
    }

    /// <summary>
    /// The fraud risk of this request's subjects as known when it started (<see cref="RequestRisk.None"/> when
    /// nothing is known or NumoTelemetry does not see the request). Allocates nothing.
    /// </summary>
    public static RequestRisk GetNumoRisk(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return NumoRequestFeature.Of(context)?.Risk ?? RequestRisk.None;
    }
}
