using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Query;

namespace NumoTelemetry.Dashboard.Http;

/// <summary>The dashboard's endpoints: the page and its assets, the JSON API and the CSV export.</summary>
internal static class DashboardEndpoints
{
    private const int MaxFilterLength = 200;

    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string prefix)
    {
        var assets = new DashboardAssets();
        var group = endpoints.MapGroup(prefix);
        group.AddEndpointFilter(static async (context, next) =>
        {
            var headers = context.HttpContext.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            return await next(context).ConfigureAwait(false);
        });

        MapPage(group, assets);
        var api = group.MapGroup("/api");
        api.AddEndpointFilter(static async (context, next) =>
        {
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            return await next(context).ConfigureAwait(false);
        });
        MapApi(api);
        MapExport(api);
        AnalyticsEndpoints.Map(group, api, assets);
        ShareEndpoints.Map(group, api, assets);
        endpoints.ServiceProvider.GetRequiredService<DashboardRouteFilter>().Add(group.GetPrefix(prefix));
        return group;
    }

    /// <summary>The page and its two assets.</summary>
    private static void MapPage(RouteGroupBuilder group, DashboardAssets assets)
    {
        group.MapGet("/", (HttpContext context) =>
        {
            // The page uses relative URLs: serve it at "{prefix}/" only.
            var path = context.Request.PathBase + context.Request.Path;
            return path.Value is { } value && !value.EndsWith('/')
                ? Results.Redirect(value + "/" + context.Request.QueryString)
                : Asset(context, assets["index.html"]);
        }).ExcludeFromDescription();
        group.MapGet("/app.js", (HttpContext context) => Asset(context, assets["app.js"])).ExcludeFromDescription();
        group.MapGet("/app.css", (HttpContext context) => Asset(context, assets["app.css"])).ExcludeFromDescription();
    }

    /// <summary>The JSON views of the page: meta, overview, top, fraud, live.</summary>
    private static void MapApi(RouteGroupBuilder api)
    {
        api.MapGet("/meta", static (DashboardQueryService query) => Results.Json(query.Meta(), DashboardJsonContext.Default.DashboardMeta));
        api.MapGet("/overview", static async (HttpContext context, DashboardQueryService query) =>
        {
            if (!TryRange(context, query, out var range, out var problem))
            {
                return problem;
            }

            if (!AnalyticsEndpoints.TryCompare(context, range, out var compared, out var compare, out problem))
            {
                return problem;
            }

            if (!TryFilter(context.Request.Query, null, out var filter, out problem))
            {
                return problem;
            }

            var overview = await query.OverviewAsync(range, filter, compared, compare, context.RequestAborted).ConfigureAwait(false);
            return Results.Json(overview, DashboardJsonContext.Default.Overview);
        });
        api.MapGet("/top", static async (HttpContext context, DashboardQueryService query) =>
        {
            if (!TryRange(context, query, out var range, out var problem) || !TryDimension(context, out var dimension, out problem)
                || !AnalyticsEndpoints.TryCompare(context, range, out var compared, out _, out problem)
                || !TryFilter(context.Request.Query, dimension, out var filter, out problem))
            {
                return problem;
            }

            var list = await query.TopAsync(dimension, range, filter, Limit(context), compared, context.RequestAborted).ConfigureAwait(false);
            return Results.Json(list, DashboardJsonContext.Default.TopList);
        });
        api.MapGet("/fraud", static async (HttpContext context, DashboardQueryService query) =>
        {
            if (!TryRange(context, query, out var range, out var problem))
            {
                return problem;
            }

            var fraud = await query.FraudAsync(range, context.RequestAborted).ConfigureAwait(false);
            return Results.Json(fraud, DashboardJsonContext.Default.FraudOverview);
        });
        api.MapGet("/live", static async (HttpContext context, DashboardQueryService query) =>
            Results.Json(await query.LiveAsync(context.RequestAborted).ConfigureAwait(false), DashboardJsonContext.Default.LiveView));
    }

    /// <summary>The CSV export of the overview's series or of one top list.</summary>
    private static void MapExport(RouteGroupBuilder api)
    {
        api.MapGet("/export.csv", static async (HttpContext context, DashboardQueryService query) =>
        {
            if (!TryRange(context, query, out var range, out var problem))
            {
                return problem;
            }

            string csv;
            string name;
            DashboardFilter filter;
            if (context.Request.Query["view"].ToString() is "top")
            {
                if (!TryDimension(context, out var dimension, out problem) || !TryFilter(context.Request.Query, dimension, out filter, out problem))
                {
                    return problem;
                }

                var list = await query.TopAsync(dimension, range, filter, Limit(context), context.RequestAborted).ConfigureAwait(false);
                csv = CsvWriter.Top(list, query.Meta().K);
                name = $"numo-{dimension}-{range.Name}.csv";
            }
            else
            {
                if (!TryFilter(context.Request.Query, null, out filter, out problem))
                {
                    return problem;
                }

                var overview = await query.OverviewAsync(range, filter, context.RequestAborted).ConfigureAwait(false);
                csv = CsvWriter.Series(overview);
                name = $"numo-traffic-{range.Name}.csv";
            }

            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
            return Results.Text(csv, "text/csv; charset=utf-8");
        });
    }

    internal static IResult Asset(HttpContext context, DashboardAssets.Asset asset)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static bool TryRange(HttpContext context, DashboardQueryService query, out DashboardRange range, out IResult problem) =>
        AnalyticsEndpoints.TryRange(context, query, out range, out problem);

    private static bool TryDimension(HttpContext context, out string dimension, out IResult problem)
    {
        dimension = context.Request.Query["dim"].ToString();
        if (DashboardDimensions.IsKnown(dimension))
        {
            problem = Results.Empty;
            return true;
        }

        problem = Results.Problem($"Unknown dimension '{Cut(dimension)}'.", statusCode: StatusCodes.Status400BadRequest);
        return false;
    }

    private static int Limit(HttpContext context) =>
        int.TryParse(context.Request.Query["limit"].ToString(), System.Globalization.CultureInfo.InvariantCulture, out var limit) ? Math.Clamp(limit, 1, 100) : 10;

    /// <summary>
    /// The filters of a view: a query parameter named after any filterable dimension (<c>referrer=</c>,
    /// <c>utm_source=</c>, <c>goal=</c>, <c>entry_page=</c>…), at most <see cref="DashboardFilter.MaxFilters"/>, from one
    /// cube (not a goal and an event at once).
    /// </summary>
    internal static bool TryFilter(IQueryCollection query, string? dimension, out DashboardFilter filter, out IResult problem)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in query)
        {
            if (DashboardDimensions.IsFilterable(name) && values.ToString() is { Length: > 0 } value)
            {
                pairs.Add(new(name, Cut(value)));
            }
        }

        filter = new DashboardFilter(pairs);
        problem = Results.Empty;
        if (filter.Count > DashboardFilter.MaxFilters)
        {
            problem = Results.Problem($"At most {DashboardFilter.MaxFilters} filters can be combined.", statusCode: StatusCodes.Status400BadRequest);
            return false;
        }

        if (CubeSource.Select(dimension is not null && DashboardDimensions.IsFilterable(dimension) ? dimension : null, filter, out var error) is null)
        {
            problem = Results.Problem(error, statusCode: StatusCodes.Status400BadRequest);
            return false;
        }

        return true;
    }

    private static string Cut(string value) => value.Length > MaxFilterLength ? value[..MaxFilterLength] : value;

    private static string GetPrefix(this RouteGroupBuilder group, string prefix) => prefix.TrimEnd('/');
}
