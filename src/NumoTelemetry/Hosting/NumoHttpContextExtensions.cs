using NumoTelemetry.Capture;
using NumoTelemetry.Records;

namespace Microsoft.AspNetCore.Http;

/// <summary>NumoTelemetry's per-request API on <see cref="HttpContext"/>.</summary>
public static class NumoHttpContextExtensions
{
    /// <summary>The signals API: <c>HttpContext.NumoSignals().LoginFailed(userName)</c>.</summary>
    public static NumoSignals NumoSignals(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new NumoSignals(context);
    }

    /// <summary>
    /// The fraud risk of this request's subjects as known when it started (<see cref="NumoRisk.None"/> when
    /// nothing is known or NumoTelemetry does not see the request). Allocates nothing.
    /// </summary>
    public static NumoRisk GetNumoRisk(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return NumoRequestFeature.Of(context)?.Risk ?? NumoRisk.None;
    }
}
