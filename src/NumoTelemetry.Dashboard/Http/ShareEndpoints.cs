using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Query;
using NumoTelemetry.Dashboard.Query.Models;

namespace NumoTelemetry.Dashboard.Http;

/// <summary>
/// Read-only, expiring, revocable links to one aggregate view, for people without an analyst account. An analyst
/// creates one (<c>POST api/share</c>) for the overview or one top list with its range and filters; the link is the
/// view's parameters, an id and the expiry, signed and encrypted with ASP.NET Core data protection. Whoever holds it
/// sees that view only (<c>shared/{token}</c>, anonymous), released by the same k-anonymity as for analysts, until it
/// expires or is revoked (<c>POST api/share/revoke</c>; the revocation list is in the dashboard store).
/// </summary>
internal static class ShareEndpoints
{
    private const string Purpose = "NumoTelemetry.Dashboard.ShareLink.v1";
    private const int MaxHours = 24 * 90;
    private static readonly string[] s_kept =
        ["view", "dim", "limit", "range", "from", "to", "compare", .. DashboardDimensions.CubeAxes, .. DashboardDimensions.Analytics];

    // Long because: the share link's create, list, revoke and open routes read best side by side.
    public static void Map(RouteGroupBuilder group, RouteGroupBuilder api, DashboardAssets assets)
    {
        api.MapPost("/share", static async (HttpContext context, DashboardQueryService query, IDataProtectionProvider protection, IDashboardStore store) =>
        {
            var q = context.Request.Query;
            var view = q["view"].ToString();
            if (view is not ("overview" or "top") || (view == "top" && !DashboardDimensions.IsKnown(q["dim"].ToString())))
            {
                return Results.Problem("view must be overview, or top with a known dim.", statusCode: StatusCodes.Status400BadRequest);
            }

            if (!AnalyticsEndpoints.TryRange(q, query, out var range, out var problem) || !AnalyticsEndpoints.TryCompare(q, range, out _, out _, out problem)
                || !DashboardEndpoints.TryFilter(q, view == "top" ? q["dim"].ToString() : null, out _, out problem))
            {
                return problem;
            }

            var hours = int.TryParse(q["hours"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var h) ? h : 24 * 7;
            if (hours is < 1 or > MaxHours)
            {
                return Results.Problem($"hours must be between 1 and {MaxHours}.", statusCode: StatusCodes.Status400BadRequest);
            }

            var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
            try
            {
                await store.IsShareLinkRevokedAsync(id, context.RequestAborted).ConfigureAwait(false);
            }
            catch (NotSupportedException)
            {
                return Results.Problem("The dashboard store keeps no revocation list, so no share link can be issued.", statusCode: StatusCodes.Status501NotImplemented);
            }

            var parameters = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var key in s_kept)
            {
                if (q[key].ToString() is { Length: > 0 and <= 200 } value)
                {
                    parameters[key] = value;
                }
            }

            var expires = query.Now.AddHours(hours);
            var payload = id + "\n" + QueryHelpers.AddQueryString(string.Empty, parameters);
            var token = protection.CreateProtector(Purpose).ToTimeLimitedDataProtector().Protect(payload, expires);
            var url = context.Request.PathBase + context.Request.Path.Value![..^"/api/share".Length] + "/shared/" + token;
            return Results.Json(new ShareLink(id, url, expires), DashboardJsonContext.Default.ShareLink);
        });
        api.MapPost("/share/revoke", static async (HttpContext context, IDataProtectionProvider protection, IDashboardStore store) =>
        {
            // Revoked by the link itself (what the analyst holds), so the id need not be kept anywhere else.
            if (!TryOpen(protection, context.Request.Query["token"].ToString(), out var id, out _, out var expires))
            {
                return Results.Problem("Not a share link of this dashboard (or it has expired).", statusCode: StatusCodes.Status400BadRequest);
            }

            await store.RevokeShareLinkAsync(id, expires, context.RequestAborted).ConfigureAwait(false);
            return Results.NoContent();
        });

        group.MapGet("/shared/assets/shared.js", (HttpContext context) => DashboardEndpoints.Asset(context, assets["shared.js"])).AllowAnonymous().ExcludeFromDescription();
        group.MapGet("/shared/assets/app.css", (HttpContext context) => DashboardEndpoints.Asset(context, assets["app.css"])).AllowAnonymous().ExcludeFromDescription();
        group.MapGet("/shared/assets/favicon.ico", (HttpContext context) => DashboardEndpoints.Asset(context, assets["favicon.ico"])).AllowAnonymous().ExcludeFromDescription();
        group.MapGet("/shared/{token}", async (HttpContext context, string token, IDataProtectionProvider protection, IDashboardStore store) =>
        {
            var (ok, _) = await CheckAsync(context, token, protection, store).ConfigureAwait(false);
            context.Response.Headers.CacheControl = "no-store";
            return ok ?? Results.Bytes(assets["shared.html"].Content, "text/html; charset=utf-8");
        }).AllowAnonymous().ExcludeFromDescription();
        group.MapGet("/shared/{token}/data", static async (HttpContext context, string token, IDataProtectionProvider protection, IDashboardStore store, DashboardQueryService query) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            var (refused, parameters) = await CheckAsync(context, token, protection, store).ConfigureAwait(false);
            if (refused is not null)
            {
                return refused;
            }

            var q = new QueryCollection(parameters!);
            if (!AnalyticsEndpoints.TryRange(q, query, out var range, out var problem) || !AnalyticsEndpoints.TryCompare(q, range, out var compared, out var compare, out problem))
            {
                return problem;
            }

            if (!DashboardEndpoints.TryFilter(q, q["view"].ToString() == "top" ? q["dim"].ToString() : null, out var filter, out problem))
            {
                return problem;
            }

            if (q["view"].ToString() == "top")
            {
                var limit = int.TryParse(q["limit"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, 100) : 10;
                var list = await query.TopAsync(q["dim"].ToString(), range, filter, limit, compared, context.RequestAborted).ConfigureAwait(false);
                return Results.Json(new SharedView("top", query.Meta().K, null, list), DashboardJsonContext.Default.SharedView);
            }

            var overview = await query.OverviewAsync(range, filter, compared, compare, context.RequestAborted).ConfigureAwait(false);
            return Results.Json(new SharedView("overview", query.Meta().K, overview, null), DashboardJsonContext.Default.SharedView);
        }).AllowAnonymous().ExcludeFromDescription();
    }

    /// <summary>Opens a link: <see langword="null"/> and its parameters when valid, else the refusal (404 unknown or expired, 410 revoked).</summary>
    private static async ValueTask<(IResult? Refused, Dictionary<string, StringValues>? Parameters)> CheckAsync(
        HttpContext context, string token, IDataProtectionProvider protection, IDashboardStore store)
    {
        if (!TryOpen(protection, token, out var id, out var parameters, out _))
        {
            return (Results.Problem("This link is not valid or has expired.", statusCode: StatusCodes.Status404NotFound), null);
        }

        if (await store.IsShareLinkRevokedAsync(id, context.RequestAborted).ConfigureAwait(false))
        {
            return (Results.Problem("This link was revoked.", statusCode: StatusCodes.Status410Gone), null);
        }

        return (null, parameters);
    }

    private static bool TryOpen(IDataProtectionProvider protection, string token, out string id, out Dictionary<string, StringValues> parameters, out DateTimeOffset expires)
    {
        id = string.Empty;
        parameters = [];
        expires = default;
        if (string.IsNullOrEmpty(token) || token.Length > 2_000)
        {
            return false;
        }

        string payload;
        try
        {
            payload = protection.CreateProtector(Purpose).ToTimeLimitedDataProtector().Unprotect(token, out expires);
        }
        catch (CryptographicException)
        {
            return false; // altered, foreign, expired, or its key is gone
        }

        var newline = payload.IndexOf('\n', StringComparison.Ordinal);
        if (newline <= 0)
        {
            return false;
        }

        id = payload[..newline];
        parameters = QueryHelpers.ParseQuery(payload[(newline + 1)..]);
        return true;
    }
}
