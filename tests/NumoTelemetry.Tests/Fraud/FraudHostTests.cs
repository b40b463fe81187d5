using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>The whole loop on a real Kestrel on 127.0.0.1: signals → pipeline → detectors → risk on the next request → enforcement and alerts.</summary>
public sealed class FraudHostTests
{
    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(Action<NumoTelemetryOptions> configure)
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

    [Fact]
    public void AddNumoTelemetry_FraudOn_RegistersTheCachedRiskProvider()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddNumoTelemetry(o => o.Pseudonymization.Keys["1"] = KeyRing.GenerateKey());
        using var provider = services.BuildServiceProvider();
        Assert.IsType<CachedRiskProvider>(provider.GetRequiredService<IRiskProvider>());
        Assert.Contains(provider.GetServices<Pipeline.IRequestRecordProcessor>(), p => p is FraudProcessor);
        Assert.Contains(provider.GetServices<IAlertSink>(), s => s is LoggerAlertSink);
    }

    [Fact]
    public void Validate_BadFraudAndAlertSettings_NamesEachSetting()
    {
        var options = new NumoTelemetryOptions();
        options.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
        options.Fraud.AlertScore = 10;
        options.Fraud.CredentialStuffing.MinFailureRatio = 2;
        options.Alerts.Webhook.Url = new Uri("https://fraud.example/hook");
        options.Alerts.Webhook.Secret = "not-base64!";
        options.Alerts.RepeatInterval = TimeSpan.FromSeconds(1);
        var result = new FraudOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("NumoTelemetry:Fraud:AlertScore", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("NumoTelemetry:Fraud:CredentialStuffing:MinFailureRatio", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("NumoTelemetry:Alerts:Webhook:Secret", StringComparison.Ordinal) && !f.Contains("not-base64", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("NumoTelemetry:Alerts:RepeatInterval", StringComparison.Ordinal));
        Assert.True(new FraudOptionsValidator().Validate(null, new NumoTelemetryOptions()).Succeeded);
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
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddNumoTelemetry(configuration.GetSection("NumoTelemetry"));
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<NumoTelemetryOptions>>().Value;
        Assert.Equal(8, options.Fraud.CredentialStuffing.MinDistinctAccounts);
        Assert.Equal(120, options.Fraud.PageScore);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Alerts.GroupWait);
        Assert.Equal(3, options.Alerts.Webhook.MaxAttempts);
    }
}
