using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using NumoTelemetry.Alerts;
using NumoTelemetry.Capture;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Hosting;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>The whole loop on a real Kestrel on 127.0.0.1: signals → pipeline → detectors → risk on the next request → enforcement and alerts.</summary>
public sealed class FraudHostTests
{
    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(Action<NumoTelemetryOptions> configure, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Debug).AddFakeLogging();
        builder.Services.AddNumoTelemetry(o =>
        {
            o.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
            o.RequestLog.FileEnabled = false;
            o.Pipeline.PollInterval = TimeSpan.FromMilliseconds(10);
            o.Alerts.GroupWait = TimeSpan.Zero;
            configure(o);
        });
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseNumoTelemetry();
        app.MapPost("/login", (HttpContext context, string user) =>
        {
            context.NumoSignals().LoginFailed(user);
            return Results.Unauthorized();
        });
        app.MapGet("/risk", (HttpContext context) =>
        {
            var risk = context.GetNumoRisk();
            return Results.Text($"{risk.Band} {risk.TopReason}");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new HttpClient { BaseAddress = new Uri(address) });
    }

    [Fact]
    public async Task Requests_CredentialStuffing_RiskRisesAlertIsLoggedAndNoRawValueLeaks()
    {
        var (app, client) = await StartAsync(o => { });
        await using var _ = app;
        using var __ = client;
        for (var i = 0; i < 30; i++)
        {
            using var response = await client.PostAsync(new Uri($"/login?user=canary.victim{i}@example.com", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var risk = string.Empty;
        for (var attempt = 0; attempt < 200 && !risk.StartsWith("Page", StringComparison.Ordinal) && !risk.StartsWith("Alert", StringComparison.Ordinal); attempt++)
        {
            await Task.Delay(25);
            risk = await client.GetStringAsync(new Uri("/risk", UriKind.Relative));
        }

        Assert.Matches("^(Alert|Page) credential-stuffing$", risk);

        var logs = app.Services.GetRequiredService<FakeLogCollector>();
        for (var attempt = 0; attempt < 200 && !logs.GetSnapshot().Any(r => r.Category == LoggerAlertSink.CategoryName); attempt++)
        {
            await Task.Delay(25);
        }

        var alert = Assert.Single(logs.GetSnapshot(), r => r.Category == LoggerAlertSink.CategoryName);
        Assert.True(alert.Level >= LogLevel.Warning);
        Assert.Contains("credential-stuffing", alert.Message, StringComparison.Ordinal);
        // NumoTelemetry's own records (the framework's request logs carry URLs, which is the host's business).
        Assert.All(logs.GetSnapshot().Where(r => r.Category?.StartsWith("NumoTelemetry", StringComparison.Ordinal) == true), r =>
        {
            Assert.DoesNotContain("canary.victim", r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("127.0.0.1", r.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Requests_EnforcementBlockFromAlertBand_AnswersTheAttackerWith429()
    {
        var (app, client) = await StartAsync(o =>
        {
            o.Enforcement.Mode = EnforcementMode.Block;
            o.Enforcement.MinimumBand = RiskBand.Alert;
        });
        await using var _ = app;
        using var __ = client;
        for (var i = 0; i < 30; i++)
        {
            using var response = await client.PostAsync(new Uri($"/login?user=victim{i}", UriKind.Relative), null);
        }

        var status = HttpStatusCode.OK;
        for (var attempt = 0; attempt < 200 && status != HttpStatusCode.TooManyRequests; attempt++)
        {
            await Task.Delay(25);
            using var response = await client.GetAsync(new Uri("/risk", UriKind.Relative));
            status = response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
    }

    /// <summary>Credential stuffing from this client until a request is blocked; returns that blocked response.</summary>
    private static async Task<HttpResponseMessage> BlockedAsync(HttpClient client)
    {
        for (var i = 0; i < 30; i++)
        {
            using var response = await client.PostAsync(new Uri($"/login?user=victim{i}", UriKind.Relative), null);
        }

        for (var attempt = 0; attempt < 200; attempt++)
        {
            await Task.Delay(25);
            var response = await client.GetAsync(new Uri("/risk", UriKind.Relative));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return response;
            }

            response.Dispose();
        }

        throw new TimeoutException("never blocked");
    }

    private static void Block(NumoTelemetryOptions o)
    {
        o.Enforcement.Mode = EnforcementMode.Block;
        o.Enforcement.MinimumBand = RiskBand.Alert;
    }

    [Fact]
    public async Task Blocked_ByDefault_Is429WithRetryAfterAndAProblemDetailsBodyThatSaysNothingOfTheScore()
    {
        var (app, client) = await StartAsync(Block);
        await using var _ = app;
        using var __ = client;
        using var response = await BlockedAsync(client);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        Assert.Equal(429, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("Too Many Requests", json.RootElement.GetProperty("title").GetString());
        Assert.Equal("about:blank", json.RootElement.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("detail").GetString()));
        Assert.Equal(["type", "title", "status", "detail"], json.RootElement.EnumerateObject().Select(p => p.Name));
        foreach (var secret in new[] { "credential", "stuffing", "score", "risk", "band", "Alert", "Page", "k1." })
        {
            Assert.DoesNotContain(secret, body, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Blocked_WithStatusAndRetryAfterSet_AnswersWithThem()
    {
        var (app, client) = await StartAsync(o =>
        {
            Block(o);
            o.Enforcement.StatusCode = 403;
            o.Enforcement.RetryAfter = TimeSpan.FromSeconds(299.5);
        });
        await using var _ = app;
        using var __ = client;
        using var response = await BlockedAsync(client);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(300), response.Headers.RetryAfter?.Delta);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(403, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("Forbidden", json.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Blocked_WithTheSitesProblemDetailsService_GoesThroughIt()
    {
        var (app, client) = await StartAsync(Block, services => services.AddProblemDetails(p => p.CustomizeProblemDetails = c => c.ProblemDetails.Extensions["site"] = "shop"));
        await using var _ = app;
        using var __ = client;
        using var response = await BlockedAsync(client);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("shop", json.RootElement.GetProperty("site").GetString());
        Assert.Equal(429, json.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Blocked_WithOnBlocked_AnswersWithTheSitesPage()
    {
        var (app, client) = await StartAsync(o =>
        {
            Block(o);
            o.Enforcement.OnBlocked = static async (context, risk) =>
            {
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.WriteAsync("<h1>Slow down</h1>");
            };
        });
        await using var _ = app;
        using var __ = client;
        using var response = await BlockedAsync(client);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), response.Headers.RetryAfter?.Delta);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("<h1>Slow down</h1>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Blocked_OnBlockedThrows_FallsBackToProblemDetailsCountedAndTheSiteGoesOn()
    {
        var (app, client) = await StartAsync(o =>
        {
            Block(o);
            o.Enforcement.OnBlocked = static (context, risk) =>
            {
                context.Response.StatusCode = 418;
                context.Response.Headers["X-Half-Written"] = "1";
                throw new InvalidOperationException("the site's page is broken");
            };
        });
        await using var _ = app;
        using var __ = client;
        using var errors = new MetricCollector<long>(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "NumoTelemetry", "numo.errors");
        using var response = await BlockedAsync(client);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), response.Headers.RetryAfter?.Delta);
        Assert.False(response.Headers.Contains("X-Half-Written"));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetInt32());
        Assert.Contains(errors.GetMeasurementSnapshot(), m => (string?)m.Tags["numo.stage"] == "enforcement_page");
        var logs = app.Services.GetRequiredService<FakeLogCollector>();
        Assert.Contains(logs.GetSnapshot(), r => r.Id.Name == "EnforcementPageFailed" && r.Message.Contains("InvalidOperationException", StringComparison.Ordinal));

        // Blocked again, the same way: the site goes on answering.
        using var again = await client.GetAsync(new Uri("/risk", UriKind.Relative));
        Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
    }

    [Fact]
    public void AddNumoTelemetry_FraudOn_RegistersTheCachedRiskProvider()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddNumoTelemetry(o => o.Pseudonymization.Keys["1"] = KeyRing.GenerateKey());
        using var provider = services.BuildServiceProvider();
        Assert.IsType<CachedRiskProvider>(provider.GetRequiredService<IRiskProvider>());
        Assert.Contains(provider.GetServices<NumoTelemetry.Pipeline.IRequestRecordProcessor>(), p => p is FraudProcessor);
        Assert.Contains(provider.GetServices<IAlertSink>(), s => s is LoggerAlertSink);
    }

    [Fact]
    public void Validate_BadFraudAndAlertSettings_NamesEachSetting()
    {
        var options = new NumoTelemetryOptions();
        options.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
        options.Fraud.AlertScore = 10;
        options.Fraud.MaxStateBytes = 1 << 20;
        options.Fraud.CredentialStuffing.MinFailureRatio = 2;
        options.Alerts.Webhook.Url = new Uri("https://fraud.example/hook");
        options.Alerts.Webhook.Secret = "not-base64!";
        options.Alerts.RepeatInterval = TimeSpan.FromSeconds(1);
        var result = new FraudOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("NumoTelemetry:Fraud:AlertScore", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("NumoTelemetry:Fraud:MaxStateBytes", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("NumoTelemetry:Fraud:CredentialStuffing:MinFailureRatio", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("NumoTelemetry:Alerts:Webhook:Secret", StringComparison.Ordinal) && !f.Contains("not-base64", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("NumoTelemetry:Alerts:RepeatInterval", StringComparison.Ordinal));
        Assert.True(new FraudOptionsValidator().Validate(null, new NumoTelemetryOptions()).Succeeded);
    }

    [Fact]
    public void Validate_MaxStateBytesBelowMaxSubjectsTypicalSubjects_SaysWhatToSet()
    {
        var options = new NumoTelemetryOptions();
        options.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
        options.Fraud.MaxSubjects = 10_000_000; // 2.4 GiB of typical subjects, over the 1 GiB default

        var result = new FraudOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("NumoTelemetry:Fraud:MaxStateBytes", failure, StringComparison.Ordinal);
        Assert.Contains("at least 2560000000", failure, StringComparison.Ordinal);
        options.Fraud.MaxStateBytes = 3L << 30;
        Assert.True(new FraudOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    [InlineData(86_401.0)]
    public void Validate_BadRetryAfterOrIPv6AddressPrefix_NamesEachSetting(double retryAfterSeconds)
    {
        var options = new NumoTelemetryOptions();
        options.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
        options.Enforcement.RetryAfter = TimeSpan.FromSeconds(retryAfterSeconds);
        options.Pseudonymization.IPv6AddressPrefixLength = 32;
        var result = new NumoTelemetryOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("NumoTelemetry:Enforcement:RetryAfter", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("NumoTelemetry:Pseudonymization:IPv6AddressPrefixLength", StringComparison.Ordinal));
        options.Enforcement.RetryAfter = TimeSpan.FromSeconds(1);
        options.Pseudonymization.IPv6AddressPrefixLength = 128;
        Assert.True(new NumoTelemetryOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Bind_FraudSectionFromConfiguration_SetsDetectorOptions()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NumoTelemetry:Pseudonymization:Keys:1"] = KeyRing.GenerateKey(),
            ["NumoTelemetry:Fraud:CredentialStuffing:MinDistinctAccounts"] = "8",
            ["NumoTelemetry:Fraud:PageScore"] = "120",
            ["NumoTelemetry:Alerts:GroupWait"] = "00:01:00",
            ["NumoTelemetry:Alerts:Webhook:MaxAttempts"] = "3",
            ["NumoTelemetry:Fraud:MaxStateBytes"] = "268435456",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddNumoTelemetry(configuration.GetSection("NumoTelemetry"));
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<NumoTelemetryOptions>>().Value;
        Assert.Equal(8, options.Fraud.CredentialStuffing.MinDistinctAccounts);
        Assert.Equal(120, options.Fraud.PageScore);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Alerts.GroupWait);
        Assert.Equal(3, options.Alerts.Webhook.MaxAttempts);
        Assert.Equal(256L << 20, Assert.IsType<InMemoryFraudStateStore>(provider.GetRequiredService<IFraudStateStore>()).MaxBytes);
    }
}
