using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Tests.Infrastructure;
using NumoTelemetry.Pseudonymization;
using static NumoTelemetry.Dashboard.Tests.Infrastructure.TestRecords;

namespace NumoTelemetry.Dashboard.Tests.Http;

/// <summary>The dashboard endpoints on a real Kestrel (127.0.0.1, free port) with a header-based test sign-in.</summary>
public sealed class DashboardEndpointTests
{
    [Fact]
    public async Task MapNumoDashboard_NoPolicy_FailsAtStartUp()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(policy: null));

        Assert.Contains("NumoTelemetry:Dashboard:AuthorizationPolicy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapNumoDashboard_UnknownPolicy_FailsAtStartUp()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(policy: "NoSuchPolicy"));

        Assert.Contains("NoSuchPolicy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapNumoDashboard_AnonymousAllowedOutsideDevelopment_StillFails()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(policy: null, allowAnonymous: true, environment: "Production"));
    }

    [Fact]
    public async Task MapNumoDashboard_AnonymousAllowedInDevelopment_Serves()
    {
        await using var app = await StartAsync(policy: null, allowAnonymous: true, environment: "Development");
        using var client = Client(app, signedIn: false);

        using var response = await client.GetAsync("/numo/api/meta");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task MapNumoDashboard_WithoutAddDashboard_FailsWithHelpfulMessage()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapNumoDashboard());

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
            records.Add(View(now, "de" + i, country: "DE", campaign: i == 0 ? "=HYPERLINK(\"x\")" : "spring"));
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
        var seriesCsv = await client.GetStringAsync("/numo/api/export.csv?range=1h");
        using var badRange = await client.GetAsync("/numo/api/overview?range=1y");
        using var badDimension = await client.GetAsync("/numo/api/top?dim=ip");

        Assert.Equal(20, overview.GetProperty("totals").GetProperty("pageViews").GetInt64());
        Assert.Equal(20, overview.GetProperty("totals").GetProperty("visitors").GetInt64());
        var rows = countries.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal("DE", rows[0].GetProperty("label").GetString());
        Assert.Equal(12, rows[0].GetProperty("value").GetInt64());
        Assert.True(rows.Single(r => r.GetProperty("label").GetString() == "LI").GetProperty("suppressed").GetBoolean());
        Assert.True(rows.Single(r => r.GetProperty("label").GetString() == "FR").GetProperty("suppressed").GetBoolean()); // complementary
        Assert.Equal(8, countries.GetProperty("other").GetProperty("value").GetInt64());
        Assert.Contains("\"'=HYPERLINK(\"\"x\"\")\",< 5,< 5", csv, StringComparison.Ordinal); // a formula is defused, its cell suppressed
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

        await FoldAsync(app, records);
        using var client = Client(app);

        var everything = string.Join('\n', await Task.WhenAll(
            client.GetStringAsync("/numo/api/overview?range=24h"),
            client.GetStringAsync("/numo/api/live"),
            client.GetStringAsync("/numo/api/fraud?range=24h"),
            client.GetStringAsync("/numo/api/top?range=24h&dim=route"),
            client.GetStringAsync("/numo/api/top?range=24h&dim=network")));

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
        Action<IServiceCollection>? configureServices = null)
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
        builder.Services.AddAuthentication(TestAuthHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder().AddPolicy("Analysts", p => p.RequireAuthenticatedUser());
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        try
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapNumoDashboard("/numo");
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
