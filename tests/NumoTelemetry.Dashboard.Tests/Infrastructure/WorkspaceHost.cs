using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using NumoTelemetry.Fraud;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Dashboard.Tests.Infrastructure;

/// <summary>
/// A site with NumoTelemetry, the dashboard and the fraud workspace on a real Kestrel (127.0.0.1, free port): a sign-in
/// endpoint that raises login signals, enforcement blocking the alert band, alerts sent at once, a header-based test
/// authentication (<c>X-Test-User</c>, <c>X-Test-Roles</c>) and every log kept for canary checks.
/// </summary>
internal sealed class WorkspaceHost : IAsyncDisposable
{
    public const string InvestigatorPolicy = "Investigators";
    public const string LookupPolicy = "KeyHolders";
    public const string AnalystPolicy = "Analysts";

    private readonly TempDirectory _root;
    private readonly bool _ownsRoot;

    private WorkspaceHost(WebApplication app, TempDirectory root, bool ownsRoot)
    {
        App = app;
        _root = root;
        _ownsRoot = ownsRoot;
    }

    public WebApplication App { get; }

    public string ContentRoot => _root.Path;

    public Uri BaseAddress => new(App.Urls.First());

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    /// <summary>Starts the site; with <paramref name="root"/>, on that content root (a restart: its store is kept, the caller deletes it).</summary>
    public static async Task<WorkspaceHost> StartAsync(Action<DashboardOptions>? configure = null, Action<NumoTelemetryOptions>? numo = null, TempDirectory? root = null)
    {
        var ownsRoot = root is null;
        root ??= new TempDirectory();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = root.Path });
        builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddFakeLogging();
        builder.Services.AddNumoTelemetry(o =>
            {
                o.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
                o.ClientIp.TrustLoopback = true;
                o.Alerts.GroupWait = TimeSpan.Zero;
                o.Enforcement.Mode = EnforcementMode.Block;
                o.Enforcement.MinimumBand = RiskBand.Alert;
                numo?.Invoke(o);
            })
            .AddDashboard(o =>
            {
                o.AuthorizationPolicy = AnalystPolicy;
                o.FraudPolicy = InvestigatorPolicy;
                o.FraudLookupPolicy = LookupPolicy;
                o.WriteInterval = TimeSpan.FromMilliseconds(200);
                configure?.Invoke(o);
            });
        builder.Services.AddAuthentication(TestAuth.SchemeName).AddScheme<AuthenticationSchemeOptions, TestAuth>(TestAuth.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AnalystPolicy, p => p.RequireRole("analyst"))
            .AddPolicy(InvestigatorPolicy, p => p.RequireRole("investigator"))
            .AddPolicy(LookupPolicy, p => p.RequireRole("investigator").RequireRole("key-holder"));
        var app = builder.Build();
        try
        {
            app.UseNumoTelemetry();
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapPost("/login", async (HttpContext context) =>
            {
                var user = (await context.Request.ReadFormAsync())["user"].ToString();
                context.NumoSignals().LoginFailed(user);
                return Results.StatusCode(StatusCodes.Status401Unauthorized);
            });
            app.MapGet("/products/{id:int}", (int id) => Results.Text("product " + id));
            app.MapGet("/newsletter", (HttpContext context) =>
            {
                // A site that builds a signal name from user input (scrubbed on the way in).
                context.NumoSignals().Custom("newsletter " + context.Request.Query["email"]);
                return Results.Text("subscribed");
            });
            app.MapNumoTelemetryDashboard("/numo");
            await app.StartAsync();
            return new WorkspaceHost(app, root, ownsRoot);
        }
        catch
        {
            await app.DisposeAsync();
            if (ownsRoot)
            {
                root.Dispose();
            }

            throw;
        }
    }

    /// <summary>A client signed in as <paramref name="user"/> with <paramref name="roles"/> (none: anonymous).</summary>
    public HttpClient Client(string? user = null, params string[] roles)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseProxy = false }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (user is not null)
        {
            client.DefaultRequestHeaders.Add(TestAuth.UserHeader, user);
            client.DefaultRequestHeaders.Add(TestAuth.RolesHeader, string.Join(',', roles));
        }

        return client;
    }

    /// <summary>A client of the site (no sign-in) whose requests come from <paramref name="ip"/> (X-Forwarded-For from loopback).</summary>
    public HttpClient Visitor(string ip)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseProxy = false, UseCookies = false }) { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", ip);
        client.DefaultRequestHeaders.Add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36");
        return client;
    }

    /// <summary>Credential stuffing from <paramref name="ip"/>: failed sign-ins for many accounts.</summary>
    public async Task StuffAsync(string ip, int attempts = 30)
    {
        using var visitor = Visitor(ip);
        for (var i = 0; i < attempts; i++)
        {
            using var form = new FormUrlEncodedContent([new("user", $"victim{i}@example.org"), new("password", "guess")]);
            using var response = await visitor.PostAsync("/login", form);
        }
    }

    /// <summary>Polls the inbox (as an investigator) until an alert of <paramref name="rule"/> is listed.</summary>
    public async Task<JsonElement> WaitForAlertAsync(HttpClient investigator, string rule)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var inbox = await investigator.GetFromJsonAsync<JsonElement>("/numo/api/alerts?rule=" + rule);
            var alerts = inbox.GetProperty("alerts");
            if (alerts.GetArrayLength() > 0)
            {
                return alerts[0];
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No {rule} alert within 60 seconds.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Every file of the content root (the SQLite database and its journal among them) as text.</summary>
    public string FilesAsText()
    {
        var text = new System.Text.StringBuilder();
        foreach (var file in Directory.EnumerateFiles(_root.Path, "*", SearchOption.AllDirectories))
        {
            if (file.EndsWith(".lock", StringComparison.Ordinal))
            {
                continue; // the request-log writer's erasure lock: empty, and held exclusively while the site runs
            }

            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, System.Text.Encoding.Latin1);
            text.Append(reader.ReadToEnd());
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_ownsRoot)
        {
            _root.Dispose();
        }
    }

    private sealed class TestAuth(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "Test";
        public const string UserHeader = "X-Test-User";
        public const string RolesHeader = "X-Test-Roles";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(UserHeader, out var user))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var claims = new List<Claim> { new(ClaimTypes.Name, user.ToString()) };
            foreach (var role in Request.Headers[RolesHeader].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                claims.Add(new Claim(ClaimTypes.Role, role));
            }

            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName)));
        }
    }
}
