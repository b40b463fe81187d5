using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace NumoTelemetry.Sample;

/// <summary>
/// "Generate demo traffic": an analyst-only action that sends realistic requests to this very site over HTTP on
/// 127.0.0.1, so they pass through the whole pipeline (capture, pseudonymisation, metrics, dashboard). Simulated
/// visitors are told apart by <c>X-Forwarded-For</c> addresses from the documentation ranges (the sample trusts
/// 127.0.0.0/8 as a proxy) and User-Agents. Bounded: at most 400 visitors and 60 seconds per run, one run at a time.
/// </summary>
internal static class DemoTraffic
{
    public const int MaxVisitors = 400;

    private static readonly SemaphoreSlim s_running = new(1, 1);

    private static readonly string[] s_agents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    ];

    private static readonly string[] s_bots =
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    ];

    private static readonly string?[] s_referrers = [null, null, "https://www.google.com/", "https://duckduckgo.com/", "https://news.example.org/story"];
    private static readonly string[] s_languages = ["en-GB,en;q=0.9", "de-DE,de;q=0.9", "fr-FR,fr;q=0.8", "en-US,en;q=0.9", "es-ES,es;q=0.9"];
    private static readonly string[] s_pages = ["/", "/about", "/products/1", "/products/2", "/products/3", "/products/7", "/login"];

    public static void Map(WebApplication app)
    {
        app.MapGet("/analyst/demo", () => Results.Content(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>Demo traffic</title></head>" +
            "<body style=\"font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem\"><h1>Generate demo traffic</h1>" +
            "<p>Sends realistic requests (browsers, a few crawlers, opted-out visitors, failed sign-ins) to this site through its own pipeline.</p>" +
            "<form method=\"post\" action=\"/analyst/demo-traffic\"><label>Visitors <input name=\"visitors\" type=\"number\" min=\"1\" max=\"400\" value=\"60\"></label> " +
            "<button type=\"submit\">Generate</button></form><p><a href=\"/numo/\">Open the dashboard</a></p></body></html>",
            "text/html")).RequireAuthorization(AnalystAccess.PolicyName);
        app.MapPost("/analyst/demo-traffic", async (HttpContext context, IServer server) =>
        {
            var requested = context.Request.HasFormContentType ? (await context.Request.ReadFormAsync())["visitors"].ToString() : context.Request.Query["visitors"].ToString();
            var visitors = int.TryParse(requested, CultureInfo.InvariantCulture, out var v) ? Math.Clamp(v, 1, MaxVisitors) : 60;
            var seed = int.TryParse(context.Request.Query["seed"], CultureInfo.InvariantCulture, out var s) ? s : 1;
            if (!await s_running.WaitAsync(0))
            {
                return Results.Problem("Demo traffic is already being generated.", statusCode: StatusCodes.Status409Conflict);
            }

            try
            {
                var self = SelfAddress(server) ?? $"{context.Request.Scheme}://127.0.0.1:{context.Connection.LocalPort}";
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                timeout.CancelAfter(TimeSpan.FromSeconds(60));
                return Results.Json(await RunAsync(new Uri(self), visitors, seed, timeout.Token));
            }
            finally
            {
                s_running.Release();
            }
        }).RequireAuthorization(AnalystAccess.PolicyName).DisableAntiforgery();
    }

    /// <summary>Sends the traffic and returns what the dashboard should show for it.</summary>
    internal static async Task<DemoTrafficSummary> RunAsync(Uri baseAddress, int visitors, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        using var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false, MaxConnectionsPerServer = 4 };
        using var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var summary = new DemoTrafficSummary();
        var analyticsVisitors = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < visitors; i++)
        {
            var ip = string.Create(CultureInfo.InvariantCulture, $"{(i < 250 ? "203.0.113" : "198.51.100")}.{(i % 250) + 1}");
            if (i % 20 == 19)
            {
                // A crawler: robots.txt (404 here) and a HEAD request; neither is a page view.
                var bot = s_bots[random.Next(s_bots.Length)];
                await SendAsync(client, HttpMethod.Get, "/robots.txt", ip, bot, null, null, false, summary, cancellationToken);
                await SendAsync(client, HttpMethod.Head, "/", ip, bot, null, null, false, summary, cancellationToken);
                continue;
            }

            var agent = s_agents[random.Next(s_agents.Length)];
            var language = s_languages[random.Next(s_languages.Length)];
            var optedOut = i % 10 == 3; // Global Privacy Control: fraud prevention only, an anonymous page view
            var referrer = i is 5 or 6 ? "https://forum.example.net/thread/42" : s_referrers[random.Next(s_referrers.Length)]; // two people: a small cell
            var campaign = i % 7 == 0 ? "?utm_source=newsletter&utm_medium=email&utm_campaign=spring-sale" : string.Empty;
            var views = 1 + random.Next(5);
            for (var n = 0; n < views; n++)
            {
                var path = n == 0 ? s_pages[random.Next(3)] + campaign : s_pages[random.Next(s_pages.Length)];
                if (await SendAsync(client, HttpMethod.Get, path, ip, agent, language, n == 0 ? referrer : null, optedOut, summary, cancellationToken))
                {
                    summary.PageViews++;
                    if (!optedOut && analyticsVisitors.Add(ip + agent))
                    {
                        summary.Visitors++;
                    }
                }
            }

            if (i % 9 == 4)
            {
                // A failed sign-in (the site raises a login-failed signal) and a page that does not exist.
                using var form = new FormUrlEncodedContent([new("username", "alice"), new("password", "wrong")]);
                await SendAsync(client, HttpMethod.Post, "/login", ip, agent, language, null, optedOut, summary, cancellationToken, form);
                await SendAsync(client, HttpMethod.Get, "/products/none", ip, agent, language, null, optedOut, summary, cancellationToken);
            }
        }

        summary.ForumVisitors = 2;
        return summary;
    }

    private static async Task<bool> SendAsync(
        HttpClient client,
        HttpMethod method,
        string path,
        string ip,
        string agent,
        string? language,
        string? referrer,
        bool optedOut,
        DemoTrafficSummary summary,
        CancellationToken cancellationToken,
        HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", ip);
        request.Headers.TryAddWithoutValidation("User-Agent", agent);
        if (language is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", language);
        }

        if (referrer is not null)
        {
            request.Headers.TryAddWithoutValidation("Referer", referrer);
        }

        if (optedOut)
        {
            request.Headers.TryAddWithoutValidation("Sec-GPC", "1");
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        summary.Requests++;
        return method == HttpMethod.Get && (int)response.StatusCode is >= 200 and < 400;
    }

    private static string? SelfAddress(IServer server)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null)
        {
            return null;
        }

        foreach (var address in addresses)
        {
            if (address.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal), UriKind.Absolute, out var uri))
            {
                return $"http://127.0.0.1:{uri.Port}";
            }
        }

        return null;
    }
}

/// <summary>What a demo-traffic run sent, and what the dashboard should count for it.</summary>
internal sealed class DemoTrafficSummary
{
    /// <summary>Requests sent.</summary>
    public int Requests { get; set; }

    /// <summary>Successful GETs by browsers (bots send only robots.txt and HEAD requests).</summary>
    public int PageViews { get; set; }

    /// <summary>Distinct simulated visitors (address and User-Agent) with analytics consent and a page view.</summary>
    public int Visitors { get; set; }

    /// <summary>Visitors who came from the forum referrer (fewer than k: the dashboard suppresses that cell).</summary>
    public int ForumVisitors { get; set; }
}
