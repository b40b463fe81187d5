namespace Microsoft.AspNetCore.Http;

/// <summary>
/// Asks Chromium browsers for the User-Agent Client Hints NumoTelemetry reads: the platform version (Windows 11 rather than the frozen
/// "Windows NT 10.0") and the device model (rather than "Android 10; K"). Browsers send <c>Sec-CH-UA</c>, <c>Sec-CH-UA-Mobile</c> and
/// <c>Sec-CH-UA-Platform</c> unasked over HTTPS; these two are sent on later requests once a response asked for them.
/// </summary>
public static class NumoClientHintsExtensions
{
    /// <summary>The hints asked for: <c>Sec-CH-UA-Platform-Version, Sec-CH-UA-Model</c>.</summary>
    public const string HighEntropyHints = "Sec-CH-UA-Platform-Version, Sec-CH-UA-Model";

    /// <summary>
    /// Adds <c>Accept-CH</c> (and, when <paramref name="critical"/>, <c>Critical-CH</c>: a browser that did not send them retries the
    /// request once with them, so even the first request is seen with its hints) to the response. Call it on HTML document responses;
    /// the browser keeps asking for the hints for the site's origin. The response does not vary by these hints (NumoTelemetry only reads
    /// them), so no <c>Vary</c> is added.
    /// </summary>
    public static HttpResponse AcceptNumoClientHints(this HttpResponse response, bool critical = false)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.Append("Accept-CH", HighEntropyHints);
        if (critical)
        {
            response.Headers.Append("Critical-CH", HighEntropyHints);
        }

        return response;
    }
}
