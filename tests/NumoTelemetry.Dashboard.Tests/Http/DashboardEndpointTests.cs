using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Tests.Infrastructure;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using static NumoTelemetry.Dashboard.Tests.Infrastructure.TestRecords;

namespace NumoTelemetry.Dashboard.Tests.Http;

/// <summary>The dashboard endpoints on a real Kestrel (127.0.0.1, free port) with a header-based test sign-in.</summary>
public sealed class DashboardEndpointTests
{
    [Fact]
    public async Task MapNumoTelemetryDashboard_NoPolicy_FailsAtStartUp()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(policy: null));

        Assert.Contains("NumoTelemetry:Dashboard:AuthorizationPolicy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapNumoTelemetryDashboard_UnknownPolicy_FailsAtStartUp()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(policy: "NoSuchPolicy"));

        Assert.Contains("NoSuchPolicy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapNumoTelemetryDashboard_PolicyButNoAuthenticationScheme_FailsAtStartUpNamingAddAuthentication()
    {
        // Without a scheme, the policy's challenge of an anonymous visitor throws inside the request: HTTP 500.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(addAuthentication: false));

        Assert.Contains("AddAuthentication", error.Message, StringComparison.Ordinal);
        Assert.Contains("Analysts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapNumoTelemetryDashboard_PolicyNamingAnUnknownScheme_FailsAtStartUp()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(
            policy: "Schemed",
            configureServices: s => s.AddAuthorizationBuilder().AddPolicy("Schemed", p => p.AddAuthenticationSchemes("Missing").RequireAuthenticatedUser())));

        Assert.Contains("Missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadmeSnippet_OnKestrel_ChallengesAnonymousVisitorsAndServesAnalysts()
    {
        // The package README's snippet as written: cookie authentication, a role policy, the middleware, the map.
        var root = Path.Combine(Path.GetTempPath(), "numo-dash-readme-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(root);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = root });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration["NumoTelemetry:Pseudonymization:Keys:1"] = KeyRing.GenerateKey();
        builder.Configuration["NumoTelemetry:Dashboard:AuthorizationPolicy"] = "NumoAnalyst";
        builder.Services.AddNumoTelemetry(builder.Configuration.GetSection("NumoTelemetry"))
            .AddDashboard();
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
        builder.Services.AddAuthorizationBuilder().AddPolicy("NumoAnalyst", p => p.RequireRole("analyst"));
        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapNumoTelemetryDashboard("/numo");
        app.MapGet("/test-sign-in", (HttpContext context) => context.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "ana"), new Claim(ClaimTypes.Role, "analyst")], CookieAuthenticationDefaults.AuthenticationScheme))));
        await app.StartAsync();
        var handler = new HttpClientHandler { AllowAutoRedirect = false, UseProxy = false, CookieContainer = new System.Net.CookieContainer() };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(app.Urls.First()) };

        using var anonymous = await client.GetAsync("/numo/");
        (await client.GetAsync("/test-sign-in")).Dispose();
        using var signedIn = await client.GetAsync("/numo/");
        using var api = await client.GetAsync("/numo/api/meta");

        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/Account/Login", anonymous.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task MapNumoTelemetryDashboard_AnonymousAllowedOutsideDevelopment_StillFails()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(policy: null, allowAnonymous: true, environment: "Production"));
    }

    [Fact]
    public async Task MapNumoTelemetryDashboard_AnonymousAllowedInDevelopment_Serves()
    {
        await using var app = await StartAsync(policy: null, allowAnonymous: true, environment: "Development");
        using var client = Client(app, signedIn: false);

        using var response = await client.GetAsync("/numo/api/meta");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task MapNumoTelemetryDashboard_WithoutAddDashboard_FailsWithHelpfulMessage()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapNumoTelemetryDashboard());

        Assert.Contains("AddDashboard", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_NotSignedIn_IsRefused()
    {
        await using var app = await StartAsync();
        using var client = Client(app, signedIn: false);

        using var page = await client.GetAsync("/numo/");
        using var api = await client.GetAsync("/numo/api/overview");

        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task Page_SignedIn_IsServedWithStrictHeadersAndNoExternalResources()
    {
        await using var app = await StartAsync();
        using var client = Client(app);

        using var redirect = await client.GetAsync("/numo");
        using var page = await client.GetAsync("/numo/");
        var html = await page.Content.ReadAsStringAsync();
        var js = await client.GetStringAsync("/numo/app.js");
        var css = await client.GetStringAsync("/numo/app.css");

        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("/numo/", redirect.Headers.Location!.OriginalString);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("<script src=\"app.js\"></script>", html, StringComparison.Ordinal);
        foreach (var text in new[] { html, js, css })
        {
            Assert.DoesNotContain("https://", text, StringComparison.Ordinal);
            Assert.DoesNotContain("@import", text, StringComparison.Ordinal);
            Assert.DoesNotContain("@font-face", text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_SignedIn_ReturnsNumbersSuppressionAndCsv()
    {
        await using var app = await StartAsync();
        var now = DateTimeOffset.UtcNow;
        var records = new List<RequestRecord>();
        for (var i = 0; i < 12; i++)
        {
            records.Add(View(now, "de" + i, country: "DE", campaign: i < 6 ? "=HYPERLINK(\"x\")" : "x;=cmd|' /C calc'!A0"));
        }

        for (var i = 0; i < 6; i++)
        {
            records.Add(View(now, "fr" + i, country: "FR"));
        }

        for (var i = 0; i < 2; i++)
        {
            records.Add(View(now, "li" + i, country: "LI"));
        }

        await FoldAsync(app, records);
        using var client = Client(app);

        var overview = await client.GetFromJsonAsync<JsonElement>("/numo/api/overview?range=1h");
        var countries = await client.GetFromJsonAsync<JsonElement>("/numo/api/top?range=24h&dim=country");
        var csv = await client.GetStringAsync("/numo/api/export.csv?view=top&dim=utm_campaign&range=24h");
        var countriesCsv = await client.GetStringAsync("/numo/api/export.csv?view=top&dim=country&range=24h");
        var seriesCsv = await client.GetStringAsync("/numo/api/export.csv?range=1h");
        using var badRange = await client.GetAsync("/numo/api/overview?range=1y");
        using var badDimension = await client.GetAsync("/numo/api/top?dim=ip");

        Assert.Equal(20, overview.GetProperty("totals").GetProperty("pageViews").GetInt64());
        Assert.Equal(20, overview.GetProperty("totals").GetProperty("visitors").GetInt64());
        var rows = countries.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal("DE", rows[0].GetProperty("label").GetString());
        Assert.Equal(12, rows[0].GetProperty("value").GetInt64());
        // LI (2 people) and FR (suppressed to protect LI) are folded into Other: their labels are not released.
        Assert.Single(rows);
        Assert.DoesNotContain("LI", countries.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("FR", countries.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("LI", countriesCsv, StringComparison.Ordinal);
        Assert.DoesNotContain("FR", countriesCsv, StringComparison.Ordinal);
        Assert.Equal(8, countries.GetProperty("other").GetProperty("value").GetInt64());
        Assert.Contains("\"'=HYPERLINK(\"\"x\"\")\",6,6", csv, StringComparison.Ordinal); // a formula is defused
        Assert.Contains("\"'x;=cmd|' /C calc'!A0\",6,6", csv, StringComparison.Ordinal); // ;-locales split here: quoted
        Assert.StartsWith("bucket_start_utc,page_views,visitors\n", seriesCsv, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badRange.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badDimension.StatusCode);
    }

    [Fact]
    public async Task Api_Responses_CarryNoPseudonymsOrIdentifiers()
    {
        await using var app = await StartAsync();
        var now = DateTimeOffset.UtcNow;
        var records = new List<RequestRecord>();
        for (var i = 0; i < 8; i++)
        {
            records.Add(View(now, "person" + i, session: "s" + i));
        }

        // One visitor writes an e-mail address into a campaign parameter and comes from a personal host: fewer than
        // k people, so neither value may appear anywhere (not even as a suppressed row's label).
        records.Add(View(now, "jane", campaign: "jane.doe@example.com", referrer: "jane-doe.example.net", route: "/jane-doe-only"));

        await FoldAsync(app, records);
        using var client = Client(app);

        var everything = string.Join('\n', await Task.WhenAll(
            client.GetStringAsync("/numo/api/overview?range=24h"),
            client.GetStringAsync("/numo/api/live"),
            client.GetStringAsync("/numo/api/fraud?range=24h"),
            client.GetStringAsync("/numo/api/top?range=24h&dim=route"),
            client.GetStringAsync("/numo/api/top?range=24h&dim=network"),
            client.GetStringAsync("/numo/api/top?range=24h&dim=utm_campaign"),
            client.GetStringAsync("/numo/api/top?range=24h&dim=referrer"),
            client.GetStringAsync("/numo/api/export.csv?view=top&dim=utm_campaign&range=24h"),
            client.GetStringAsync("/numo/api/export.csv?view=top&dim=referrer&range=24h"),
            client.GetStringAsync("/numo/api/export.csv?view=top&dim=route&range=24h")));

        Assert.DoesNotContain("jane", everything, StringComparison.OrdinalIgnoreCase);

        for (var i = 0; i < 8; i++)
        {
            Assert.DoesNotContain(Pseudonym(PseudonymKind.Visitor, PseudonymScope.Analytics, "person" + i).ToString(), everything, StringComparison.Ordinal);
            Assert.DoesNotContain(Pseudonym(PseudonymKind.Ip, PseudonymScope.Fraud, "person" + i).ToString(), everything, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("k1.", everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fraud_WithAlertFeed_CountsByRuleAndHidesSubjectsByDefault()
    {
        var now = DateTimeOffset.UtcNow;
        var feed = new ListAlertFeed(
        [
            new DashboardAlert { Timestamp = now.AddMinutes(-2), Rule = "credential_stuffing", Severity = "page", Score = 91.26, SubjectKind = "ip", Subject = "k1.secretpseudonym" },
            new DashboardAlert { Timestamp = now.AddMinutes(-5), Rule = "credential_stuffing", Severity = "page", Score = 80, SubjectKind = "ip", Subject = "k1.other" },
            new DashboardAlert { Timestamp = now.AddMinutes(-9), Rule = "scraping", Severity = "alert", Score = 40, SubjectKind = "session", Subject = "k1.third" },
        ]);
        await using var app = await StartAsync(configureServices: s => s.AddSingleton<IDashboardAlertFeed>(feed));
        using var client = Client(app);

        var json = await client.GetStringAsync("/numo/api/fraud?range=24h");
        var fraud = JsonDocument.Parse(json).RootElement;

        var byRule = fraud.GetProperty("alertsByRule").EnumerateArray().ToList();
        Assert.Equal("credential_stuffing", byRule[0].GetProperty("rule").GetString());
        Assert.Equal(2, byRule[0].GetProperty("count").GetInt32());
        Assert.Equal(3, fraud.GetProperty("latest").GetArrayLength());
        Assert.DoesNotContain("k1.", json, StringComparison.Ordinal);
    }

    private static async Task FoldAsync(WebApplication app, List<RequestRecord> records)
    {
        // A fixed secret for the records' day (the product draws one at random), so that the exact visitor counts asserted
        // here do not come out one short in the runs where two of the visitors share a HyperLogLog register (≈ 5 % of runs
        // for 20 visitors). The same secret on any day: the outcome does not depend on the date the tests run.
        var store = app.Services.GetRequiredService<IDashboardStore>();
        foreach (var day in records.Select(r => DateOnly.FromDateTime(r.Timestamp.UtcDateTime)).Distinct())
        {
            await store.GetOrAddDaySecretAsync(day, SHA256.HashData("dashboard endpoint tests' day secret"u8), default);
        }

        var processor = app.Services.GetServices<NumoTelemetry.Pipeline.IRequestRecordProcessor>().OfType<DashboardProcessor>().Single();
        await processor.ProcessAsync(records.ToArray(), default);
        await processor.WritePendingAsync(default);
    }

    private static HttpClient Client(WebApplication app, bool signedIn = true)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseProxy = false }) { BaseAddress = new Uri(app.Urls.First()) };
        if (signedIn)
        {
            client.DefaultRequestHeaders.Add(TestAuthHandler.Header, "analyst");
        }

        return client;
    }

    private static async Task<WebApplication> StartAsync(
        string? policy = "Analysts",
        bool allowAnonymous = false,
        string environment = "Production",
        Action<IServiceCollection>? configureServices = null,
        bool addAuthentication = true)
    {
        var root = Path.Combine(Path.GetTempPath(), "numo-dash-api-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(root);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = environment, ContentRootPath = root });
        builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddNumoTelemetry(o => o.Pseudonymization.Keys["1"] = KeyRing.GenerateKey())
            .AddDashboard(o =>
            {
                o.AuthorizationPolicy = policy;
                o.AllowAnonymousInDevelopment = allowAnonymous;
            });
        if (addAuthentication)
        {
            builder.Services.AddAuthentication(TestAuthHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
        }

        builder.Services.AddAuthorizationBuilder().AddPolicy("Analysts", p => p.RequireAuthenticatedUser());
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        try
        {
            if (addAuthentication)
            {
                app.UseAuthentication();
            }

            app.UseAuthorization();
            app.MapNumoTelemetryDashboard("/numo");
            await app.StartAsync();
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    private sealed class ListAlertFeed(IReadOnlyList<DashboardAlert> alerts) : IDashboardAlertFeed
    {
        public ValueTask<IReadOnlyList<DashboardAlert>> GetAlertsAsync(DateTimeOffset since, int max, CancellationToken cancellationToken) =>
            ValueTask.FromResult(alerts);
    }

    private sealed class TestAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "Test";
        public const string Header = "X-Test-User";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(Request.Headers.TryGetValue(Header, out var user)
                ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user.ToString())], SchemeName)), SchemeName))
                : AuthenticateResult.NoResult());
    }
}
