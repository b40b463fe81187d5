using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace NumoTelemetry.Sample;

/// <summary>
/// Who may read <c>/metrics</c>. The OpenTelemetry series are real-time and not k-anonymous: a request counter per
/// route × browser × OS × device reads 1 when one visitor made that request, so the scrape endpoint is not public.
/// It answers a scraper on the same machine (a direct loopback connection that carries no forwarding header, so a
/// request relayed by a local reverse proxy does not count as local) or a scraper that sends
/// <c>Authorization: Bearer &lt;Sample:MetricsToken&gt;</c> when that setting is configured. Everyone else gets 404,
/// as if the endpoint did not exist.
/// </summary>
internal static class MetricsAccess
{
    public const string TokenSetting = "Sample:MetricsToken";

    /// <summary>Guards the scrape endpoint's branch: the request continues only for an allowed scraper.</summary>
    public static void Guard(IApplicationBuilder branch)
    {
        var token = branch.ApplicationServices.GetRequiredService<IConfiguration>()[TokenSetting];
        var expected = string.IsNullOrEmpty(token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
        branch.Use((context, next) =>
        {
            if (IsLocalScraper(context) || HasToken(context, expected))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }

    private static bool IsLocalScraper(HttpContext context)
    {
        var peer = context.Connection.RemoteIpAddress;
        if (peer is null || !IPAddress.IsLoopback(peer))
        {
            return false;
        }

        // A reverse proxy on this machine relays outside clients from a loopback address; it says so in these headers.
        var headers = context.Request.Headers;
        return !headers.ContainsKey("X-Forwarded-For") && !headers.ContainsKey("Forwarded") && !headers.ContainsKey("X-Real-IP");
    }

    private static bool HasToken(HttpContext context, byte[]? expected)
    {
        if (expected is null)
        {
            return false;
        }

        var value = context.Request.Headers[HeaderNames.Authorization].ToString();
        const string Scheme = "Bearer ";
        if (!value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(value[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(expected, presented);
    }
}
