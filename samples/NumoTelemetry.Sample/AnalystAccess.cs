using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace NumoTelemetry.Sample;

/// <summary>
/// A deliberately simple sign-in for the sample: one shared analyst password (configuration <c>Sample:AnalystPassword</c>; when
/// unset, in Development only, a random one is generated and printed at start; elsewhere the sample refuses to start) and one
/// shared fraud investigator password (<c>Sample:InvestigatorPassword</c>; generated and printed likewise in Development;
/// elsewhere, unset, nobody signs in as investigator), a cookie, and the authorization policies the dashboard requires:
/// <see cref="PolicyName"/> for analysts, <see cref="FraudPolicyName"/> for investigators and <see cref="FraudLookupPolicyName"/>
/// for raw-value lookups (in the sample the investigator holds it too; a real site grants it to key holders only). Real sites
/// use their own identity system.
/// </summary>
internal static class AnalystAccess
{
    public const string PolicyName = "NumoAnalyst";
    public const string PasswordSetting = "Sample:AnalystPassword";
    public const string FraudPolicyName = "NumoFraud";
    public const string FraudLookupPolicyName = "NumoFraudLookup";
    public const string InvestigatorPasswordSetting = "Sample:InvestigatorPassword";
    public const string LookupClaim = "numo:lookup";

    public static void Configure(WebApplicationBuilder builder)
    {
        var password = builder.Configuration[PasswordSetting];
        if (string.IsNullOrEmpty(password) && !builder.Environment.IsDevelopment())
        {
            // A generated password printed to the console ends up in logs; outside Development the operator chooses one.
            throw new InvalidOperationException(
                $"{PasswordSetting} is not set. Outside Development the sample does not invent an analyst password: set {PasswordSetting} " +
                "(for example the environment variable Sample__AnalystPassword, or user secrets) to the password analysts use to sign in to /numo.");
        }

        if (string.IsNullOrEmpty(password))
        {
            password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y');
            Console.WriteLine($"NumoTelemetry sample: analyst password for /numo is '{password}' (generated for this Development run; set {PasswordSetting} to choose one).");
        }

        var investigator = builder.Configuration[InvestigatorPasswordSetting];
        if (string.IsNullOrEmpty(investigator) && builder.Environment.IsDevelopment())
        {
            investigator = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y');
            Console.WriteLine($"NumoTelemetry sample: fraud investigator password for /numo is '{investigator}'");
        }

        if (investigator == password)
        {
            throw new InvalidOperationException($"{InvestigatorPasswordSetting} must differ from {PasswordSetting}: the password decides the role.");
        }

        builder.Services.AddSingleton(new AnalystPassword(password));
        builder.Services.AddSingleton(new InvestigatorPassword(string.IsNullOrEmpty(investigator) ? null : new AnalystPassword(investigator)));
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = "numo_analyst";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.LoginPath = "/analyst/login";
                options.AccessDeniedPath = "/analyst/login";
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                options.Events.OnRedirectToLogin = context =>
                {
                    // The dashboard's JSON API answers 401 instead of redirecting to a page.
                    if (context.Request.Path.Value?.Contains("/api/", StringComparison.Ordinal) == true)
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        return Task.CompletedTask;
                    }

                    context.Response.Redirect(context.RedirectUri);
                    return Task.CompletedTask;
                };
                options.Events.OnRedirectToAccessDenied = context =>
                {
                    // Signed in without the role (an analyst on the fraud workspace): the API answers 403, pages say so.
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    if (context.Request.Path.Value?.Contains("/api/", StringComparison.Ordinal) == true)
                    {
                        return Task.CompletedTask;
                    }

                    context.Response.ContentType = "text/html; charset=utf-8";
                    var here = (context.Request.PathBase + context.Request.Path).Value;
                    return context.Response.WriteAsync(Html(LoginForm(here, "You are signed in without the role this page needs: sign in with its password.")));
                };
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(PolicyName, policy => policy.RequireAuthenticatedUser().RequireRole("analyst"))
            .AddPolicy(FraudPolicyName, policy => policy.RequireAuthenticatedUser().RequireRole("investigator"))
            .AddPolicy(FraudLookupPolicyName, policy => policy.RequireAuthenticatedUser().RequireRole("investigator").RequireClaim(LookupClaim, "true"));
    }

    public static void Map(WebApplication app)
    {
        app.MapGet("/analyst/login", (HttpContext context) => Page(LoginForm(context.Request.Query["ReturnUrl"], null)));
        app.MapPost("/analyst/login", async (HttpContext context, AnalystPassword expected, InvestigatorPassword investigator) =>
        {
            var form = await context.Request.ReadFormAsync();
            var returnUrl = form["returnUrl"].ToString();
            var given = form["password"].ToString();
            Claim[] claims;
            string home;
            if (expected.Matches(given))
            {
                claims = [new Claim(ClaimTypes.Name, "analyst"), new Claim(ClaimTypes.Role, "analyst")];
                home = "/numo/";
            }
            else if (investigator.Password?.Matches(given) == true)
            {
                claims = [new Claim(ClaimTypes.Name, "investigator"), new Claim(ClaimTypes.Role, "investigator"), new Claim(LookupClaim, "true")];
                home = "/numo/fraud/";
            }
            else
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300)); // slows guessing a little
                return Results.Content(Html(LoginForm(returnUrl, "Wrong password.")), "text/html", statusCode: StatusCodes.Status401Unauthorized);
            }

            var identity = new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme);
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            return Results.LocalRedirect(IsLocal(returnUrl) && returnUrl != "/numo/" ? returnUrl : home);
        }).DisableAntiforgery();
        app.MapPost("/analyst/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/");
        }).DisableAntiforgery();
    }

    private static bool IsLocal(string url) =>
        url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);

    private static IResult Page(string body) => Results.Content(Html(body), "text/html");

    private static string Html(string body) =>
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
        "<title>Analyst sign-in</title></head><body style=\"font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem\">" +
        "<h1>Analyst and investigator sign-in</h1>" + body + "</body></html>";

    private static string LoginForm(string? returnUrl, string? error) =>
        (error is null ? string.Empty : $"<p role=\"alert\" style=\"color:#b00020\">{WebUtility.HtmlEncode(error)}</p>") +
        "<form method=\"post\" action=\"/analyst/login\">" +
        $"<input type=\"hidden\" name=\"returnUrl\" value=\"{WebUtility.HtmlEncode(returnUrl ?? "/numo/")}\">" +
        "<p><label>Password <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required autofocus></label></p>" +
        "<p><button type=\"submit\">Sign in</button></p></form>" +
        "<p>The analysts' and the fraud investigators' passwords are printed at start-up in Development (or set with " +
        "<code>Sample:AnalystPassword</code> and <code>Sample:InvestigatorPassword</code>); the password decides the role.</p>";

    /// <summary>The investigators' password, when one is configured.</summary>
    internal sealed record InvestigatorPassword(AnalystPassword? Password);

    /// <summary>The configured password, compared in constant time.</summary>
    internal sealed class AnalystPassword(string password)
    {
        private readonly byte[] _hash = SHA256.HashData(Encoding.UTF8.GetBytes(password));

        public bool Matches(string candidate) =>
            CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(Encoding.UTF8.GetBytes(candidate)));
    }
}
