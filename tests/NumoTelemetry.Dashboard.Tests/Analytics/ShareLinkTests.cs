using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using static NumoTelemetry.Dashboard.Tests.Infrastructure.TestRecords;

namespace NumoTelemetry.Dashboard.Tests.Analytics;

/// <summary>Share links on a real Kestrel: issued by an analyst, opened without an account, one view only, revocable.</summary>
public sealed class ShareLinkTests
{
    [Fact]
    public async Task ShareLink_OpenedWithoutAccount_ShowsOnlyTheNamedView()
    {
        await using var app = await StartAsync();
        using var analyst = Client(app, signedIn: true);
        using var anonymous = Client(app, signedIn: false);

        var link = await CreateAsync(analyst, "view=top&dim=route&range=24h");
        using var page = await anonymous.GetAsync(new Uri(link.Url, UriKind.Relative));
        using var data = JsonDocument.Parse(await anonymous.GetStringAsync(new Uri(link.Url + "/data", UriKind.Relative)));
        using var api = await anonymous.GetAsync(new Uri("/numo/api/overview?range=24h", UriKind.Relative));
        using var dashboard = await anonymous.GetAsync(new Uri("/numo/", UriKind.Relative));
        using var tampered = await anonymous.GetAsync(new Uri(link.Url[..^3] + "AAA/data", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Shared view", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("top", data.RootElement.GetProperty("view").GetString());
        var top = data.RootElement.GetProperty("top");
        Assert.Equal("route", top.GetProperty("dimension").GetString());
        Assert.Equal(6, top.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("label").GetString() == "/a").GetProperty("value").GetInt64());
        Assert.Equal(JsonValueKind.Null, data.RootElement.GetProperty("overview").ValueKind);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, dashboard.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, tampered.StatusCode);
        Assert.InRange(link.Expires, DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));
    }

    [Fact]
    public async Task ShareLink_Revoked_IsGoneAndListedInTheStore()
    {
        await using var app = await StartAsync();
        using var analyst = Client(app, signedIn: true);
        using var anonymous = Client(app, signedIn: false);
        var link = await CreateAsync(analyst, "view=overview&range=24h");
        using var before = await anonymous.GetAsync(new Uri(link.Url + "/data", UriKind.Relative));
        var token = link.Url[(link.Url.LastIndexOf('/') + 1)..];

        using var revokedByStranger = await anonymous.PostAsync(new Uri("/numo/api/share/revoke?token=" + token, UriKind.Relative), null);
        using var revoke = await analyst.PostAsync(new Uri("/numo/api/share/revoke?token=" + token, UriKind.Relative), null);
        using var after = await anonymous.GetAsync(new Uri(link.Url + "/data", UriKind.Relative));
        using var afterPage = await anonymous.GetAsync(new Uri(link.Url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, revokedByStranger.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, after.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, afterPage.StatusCode);
        Assert.True(await app.Services.GetRequiredService<IDashboardStore>().IsShareLinkRevokedAsync(link.Id, default));
    }

    [Theory]
    [InlineData("view=everything&range=24h")]
    [InlineData("view=top&dim=nope&range=24h")]
    [InlineData("view=overview&range=24h&hours=0")]
    [InlineData("view=overview&range=forever")]
    public async Task ShareLink_InvalidView_IsRefused(string parameters)
    {
        await using var app = await StartAsync();
        using var analyst = Client(app, signedIn: true);

        using var response = await analyst.PostAsync(new Uri("/numo/api/share?" + parameters, UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static async Task<(string Id, string Url, DateTimeOffset Expires)> CreateAsync(HttpClient analyst, string parameters)
    {
        using var response = await analyst.PostAsync(new Uri("/numo/api/share?hours=24&" + parameters, UriKind.Relative), null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        using var json = JsonDocument.Parse(text);
        return (json.RootElement.GetProperty("id").GetString()!, json.RootElement.GetProperty("url").GetString()!, json.RootElement.GetProperty("expires").GetDateTimeOffset());
    }

    private static HttpClient Client(WebApplication app, bool signedIn)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseProxy = false }) { BaseAddress = new Uri(app.Urls.First()) };
        if (signedIn)
        {
            client.DefaultRequestHeaders.Add(HeaderAuth.Header, "analyst");
        }

        return client;
    }

    private static async Task<WebApplication> StartAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "numo-dash-share-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(root);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = root });
        builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddNumoTelemetry(o => o.Pseudonymization.Keys["1"] = KeyRing.GenerateKey())
            .AddDashboard(o => o.AuthorizationPolicy = "Analysts");
        builder.Services.AddAuthentication(HeaderAuth.SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderAuth>(HeaderAuth.SchemeName, null);
        builder.Services.AddAuthorizationBuilder().AddPolicy("Analysts", p => p.RequireAuthenticatedUser());
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapNumoTelemetryDashboard("/numo");
        await app.StartAsync();
        var records = new List<RequestRecord>();
        for (var v = 0; v < 6; v++)
        {
            records.Add(View(DateTimeOffset.UtcNow.AddMinutes(-5), "v" + v, "/a"));
        }

        var processor = app.Services.GetServices<NumoTelemetry.Pipeline.IRequestRecordProcessor>().OfType<DashboardProcessor>().Single();
        await processor.ProcessAsync(records.ToArray(), default);
        await processor.WritePendingAsync(default);
        return app;
    }

    private sealed class HeaderAuth(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
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
