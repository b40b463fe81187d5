using System.Net;

namespace NumoTelemetry.Sample;

/// <summary>A small site: a few pages, a product route with a parameter and a login form using the signals API.</summary>
internal static class SampleSite
{
    // Demo accounts (password for all: "correct horse").
    private static readonly HashSet<string> s_users = new(StringComparer.OrdinalIgnoreCase) { "alice", "bob", "carol" };

    public static void Map(WebApplication app)
    {
        app.MapGet("/", () => Page("Home", "<p>Welcome to the NumoTelemetry sample shop.</p><ul><li><a href=\"/products/1\">Product 1</a></li><li><a href=\"/products/2\">Product 2</a></li><li><a href=\"/about\">About</a></li><li><a href=\"/login\">Sign in</a></li><li><a href=\"/verify-phone\">Verify your phone</a></li></ul><p><a href=\"/numo/\">Analyst dashboard</a> · <a href=\"/analyst/demo\">Generate demo traffic</a></p>"));
        app.MapGet("/about", () => Page("About", "<p>Data is used to prevent fraud and for anonymous aggregate analysis. It is never sold.</p>"));
        app.MapGet("/products/{id:int}", (int id) => Page($"Product {id}", $"<p>Product number {id}.</p>"));
        app.MapGet("/login", () => Page("Sign in", LoginForm(null)));
        app.MapPost("/login", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            var user = form["username"].ToString();
            var password = form["password"].ToString();
            if (s_users.Contains(user) && password == "correct horse")
            {
                context.NumoSignals().LoginSucceeded(user);
                return Page("Signed in", "<p>Welcome back.</p>");
            }

            context.NumoSignals().LoginFailed(user);
            return Results.Content(Html("Sign in", LoginForm("Wrong user name or password.")), "text/html", statusCode: StatusCodes.Status401Unauthorized);
        }).DisableAntiforgery();
        SampleOtp.Map(app);
        app.MapGet("/risk", (HttpContext context) =>
        {
            var risk = context.GetNumoRisk();
            return Results.Json(new { risk.Score, Band = risk.Band.ToString(), risk.TopReason });
        });
    }

    private static IResult Page(string title, string body) => Results.Content(Html(title, body), "text/html");

    private static string Html(string title, string body) =>
        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>{WebUtility.HtmlEncode(title)}</title></head><body><h1>{WebUtility.HtmlEncode(title)}</h1>{body}</body></html>";

    private static string LoginForm(string? error) =>
        (error is null ? string.Empty : $"<p role=\"alert\">{WebUtility.HtmlEncode(error)}</p>") +
        "<form method=\"post\" action=\"/login\"><label>User <input name=\"username\" autocomplete=\"username\"></label> " +
        "<label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\"></label> <button>Sign in</button></form>";
}
