using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NumoTelemetry.Dashboard.Analytics;
using NumoTelemetry.Dashboard.Query;

namespace NumoTelemetry.Dashboard.Http;

/// <summary>
/// The analysts' endpoints beside the overview: funnels, custom ranges (<c>from=</c>/<c>to=</c>) and comparisons
/// (<c>compare=previous|year</c>) wherever a range is accepted, and the favicon.
/// </summary>
internal static class AnalyticsEndpoints
{
    private const int MaxSteps = 8;

    /// <summary>Maps <c>api/funnel</c> on the API group and <c>favicon.ico</c> on the page group.</summary>
    public static void Map(RouteGroupBuilder group, RouteGroupBuilder api, DashboardAssets assets)
    {
        group.MapGet("/favicon.ico", (HttpContext context) => DashboardEndpoints.Asset(context, assets["favicon.ico"])).ExcludeFromDescription();
        api.MapGet("/funnel", static async (HttpContext context, DashboardQueryService query) =>
        {
            if (!TryRange(context, query, out var range, out var problem))
            {
                return problem;
            }

            if (!TrySteps(context.Request.Query["steps"].ToString(), out var steps, out var error))
            {
                return Results.Problem(error, statusCode: StatusCodes.Status400BadRequest);
            }

            var within = context.Request.Query["within"].ToString();
            if (within is not ("" or "visit" or "day"))
            {
                return Results.Problem("within must be visit or day.", statusCode: StatusCodes.Status400BadRequest);
            }

            bool? withinDay = within.Length == 0 ? null : within == "day";
            var funnel = await query.FunnelAsync(range, steps, withinDay, context.RequestAborted).ConfigureAwait(false);
            return Results.Json(funnel, DashboardJsonContext.Default.FunnelView);
        });
    }

    /// <summary>Parses <c>steps</c>: a JSON list of <c>page:/path</c>, <c>goal:Name</c> or <c>event:name</c>.</summary>
    internal static bool TrySteps(string json, out List<AnalyticsDefinitions.Step> steps, out string error)
    {
        steps = [];
        error = string.Empty;
        string[]? texts = null;
        try
        {
            texts = string.IsNullOrEmpty(json) || json.Length > 4_000 ? null : JsonSerializer.Deserialize(json, DashboardJsonContext.Default.StringArray);
        }
        catch (JsonException)
        {
        }

        if (texts is not { Length: > 0 and <= MaxSteps })
        {
            error = $"steps must be a JSON list of 1 to {MaxSteps} steps such as [\"page:/pricing\",\"goal:Signup\"].";
            return false;
        }

        foreach (var text in texts)
        {
            if (!AnalyticsDefinitions.Step.TryParse(text, out var step))
            {
                error = "Each step is page:/path, goal:Name or event:name.";
                return false;
            }

            steps.Add(step);
        }

        return true;
    }

    /// <summary>The range of a request: <c>from=</c>/<c>to=</c> (ISO 8601 dates in the site's time zone) or <c>range=</c>.</summary>
    public static bool TryRange(HttpContext context, DashboardQueryService query, out DashboardRange range, out IResult problem) =>
        TryRange(context.Request.Query, query, out range, out problem);

    /// <summary>The range of a query string (see <see cref="TryRange(HttpContext, DashboardQueryService, out DashboardRange, out IResult)"/>).</summary>
    public static bool TryRange(IQueryCollection q, DashboardQueryService query, out DashboardRange range, out IResult problem)
    {
        var fromText = q["from"].ToString();
        var toText = q["to"].ToString();
        problem = Results.Empty;
        if (fromText.Length > 0 || toText.Length > 0)
        {
            range = null!;
            if (!DateOnly.TryParseExact(fromText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
                || !DateOnly.TryParseExact(toText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to))
            {
                problem = Results.Problem("from and to must both be ISO 8601 dates (yyyy-MM-dd).", statusCode: StatusCodes.Status400BadRequest);
                return false;
            }

            if (to < from || to.DayNumber - from.DayNumber >= DashboardRange.MaxCustomDays)
            {
                problem = Results.Problem($"to must not be before from, and a range is at most {DashboardRange.MaxCustomDays} days.", statusCode: StatusCodes.Status400BadRequest);
                return false;
            }

            range = DashboardRange.Custom(from, to, query.TimeZone, query.Now, query.HourRetentionDays);
            return true;
        }

        var name = q["range"].ToString();
        range = DashboardRange.Resolve(string.IsNullOrEmpty(name) ? null : name, query.Now)!;
        if (range is null)
        {
            problem = Results.Problem(
                $"Unknown range '{(name.Length > 20 ? name[..20] : name)}'; use one of {string.Join(", ", DashboardRange.Names)}, or from= and to=.",
                statusCode: StatusCodes.Status400BadRequest);
            return false;
        }

        return true;
    }

    /// <summary>The compared period of <c>compare=previous|year</c>, or <see langword="null"/> without one.</summary>
    public static bool TryCompare(HttpContext context, DashboardRange range, out DashboardRange? compared, out string compare, out IResult problem) =>
        TryCompare(context.Request.Query, range, out compared, out compare, out problem);

    /// <summary>The compared period of a query string.</summary>
    public static bool TryCompare(IQueryCollection q, DashboardRange range, out DashboardRange? compared, out string compare, out IResult problem)
    {
        compare = q["compare"].ToString();
        problem = Results.Empty;
        compared = null;
        if (compare.Length == 0)
        {
            return true;
        }

        if (compare is not ("previous" or "year"))
        {
            problem = Results.Problem("compare must be previous or year.", statusCode: StatusCodes.Status400BadRequest);
            return false;
        }

        compared = range.Compared(compare);
        if (compared is null)
        {
            problem = Results.Problem("compare=year needs a range of whole days (30d, 90d, or from= and to=).", statusCode: StatusCodes.Status400BadRequest);
            return false;
        }

        return true;
    }
}
