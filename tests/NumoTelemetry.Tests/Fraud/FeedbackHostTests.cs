using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud.Feedback;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Fraud;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>Feedback on a real Kestrel on 127.0.0.1: a blocked attacker is served again the request after a false-positive mark.</summary>
public sealed class FeedbackHostTests
{
    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(Action<NumoTelemetryOptions> configure, CollectingAlertSink alerts)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddNumoTelemetry(o =>
        {
            o.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
            o.RequestLog.FileEnabled = false;
            o.Pipeline.PollInterval = TimeSpan.FromMilliseconds(10);
            o.Alerts.GroupWait = TimeSpan.Zero;
            o.Enforcement.Mode = EnforcementMode.Block;
            o.Enforcement.MinimumBand = RiskBand.Alert;
            configure(o);
        });
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertSink>(alerts));
        var app = builder.Build();
        app.UseNumoTelemetry();
        app.MapPost("/login", (HttpContext context, string user) =>
        {
            context.NumoSignals().LoginFailed(user);
            return Results.Unauthorized();
        });
        app.MapGet("/", () => "ok");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new HttpClient { BaseAddress = new Uri(address) });
    }

    private static async Task StuffUntilBlockedAsync(HttpClient client)
    {
        for (var i = 0; i < 30; i++)
        {
            using var response = await client.PostAsync(new Uri($"/login?user=canary.victim{i}@example.com", UriKind.Relative), null);
        }

        for (var attempt = 0; attempt < 400; attempt++)
        {
            using var response = await client.GetAsync(new Uri("/", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException("never blocked");
    }

    private static async Task<FraudAlert> AlertAsync(CollectingAlertSink alerts, string rule)
    {
        for (var attempt = 0; attempt < 400; attempt++)
        {
            if (alerts.All.FirstOrDefault(a => a.Rule == rule && a.SubjectKind == "ip") is { } alert)
            {
                return alert;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException("no alert");
    }

    [Fact]
    public async Task MarkFalsePositive_BlockedAttacker_IsServedOnItsNextRequestAndTheRuleIsCounted()
    {
        var alerts = new CollectingAlertSink();
        var (app, client) = await StartAsync(o => o.Fraud.AccountRiskShare = 0, alerts);
        await using var _ = app;
        using var __ = client;
        using var falsePositives = new MetricCollector<long>(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "NumoTelemetry", "numo.fraud.false_positives");
        await StuffUntilBlockedAsync(client);
        var alert = await AlertAsync(alerts, ReasonCodes.CredentialStuffing);

        var feedback = app.Services.GetRequiredService<IFraudFeedback>();
        await feedback.MarkAsync(FraudVerdict.FalsePositive, SubjectKind.Ip, alert.Subject, alert.Rule, by: "investigator");

        using (var response = await client.GetAsync(new Uri("/", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(ReasonCodes.CredentialStuffing, Assert.Single(falsePositives.GetMeasurementSnapshot()).Tags["numo.rule"]);
        Assert.Equal(alert.Subject, Assert.Single(feedback.GetEntries(FraudListKind.Allow)).Subject);
    }

    [Fact]
    public async Task Deny_Subject_IsBlockedOnItsNextRequestAndLiftedOnRemove()
    {
        var alerts = new CollectingAlertSink();
        var (app, client) = await StartAsync(o => { }, alerts);
        await using var _ = app;
        using var __ = client;
        using (var response = await client.GetAsync(new Uri("/", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The investigator has the IP's pseudonym (numo pseudonymize, or an alert); here from the host's own pseudonymiser.
        var pseudonymizer = app.Services.GetRequiredService<Pseudonymizer>();
        NumoTelemetry.Records.ClientAddress.TryParse("127.0.0.1", out var address);
        var ip = pseudonymizer.PseudonymizeAddress(address, PseudonymKind.Ip, DateTimeOffset.UtcNow).ToString();
        var feedback = app.Services.GetRequiredService<IFraudFeedback>();
        var entry = await feedback.AddAsync(new FraudListEntry { List = FraudListKind.Deny, SubjectKind = SubjectKind.Ip, Subject = ip });

        using (var response = await client.GetAsync(new Uri("/", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        }

        var alert = await AlertAsync(alerts, ReasonCodes.DenyList);
        Assert.Equal(ip, alert.Subject);

        Assert.True(await feedback.RemoveAsync(entry.Id));
        using (var response = await client.GetAsync(new Uri("/", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public void Configuration_DetectorModes_BoundAndShown()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pseudonymization:Keys:1"] = KeyRing.GenerateKey(),
            ["Fraud:Detectors:Burst:Mode"] = "Observe",
            ["Fraud:Detectors:scanner:Mode"] = "Alert",
            ["Fraud:Detectors:RiskFactors:Mode"] = "Off",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddNumoTelemetry(configuration);
        using var provider = services.BuildServiceProvider();
        var feedback = provider.GetRequiredService<IFraudFeedback>();
        Assert.Equal(DetectorMode.Observe, feedback.Detectors.Single(d => d.Name == "Burst").Mode);
        Assert.Equal(DetectorMode.Alert, feedback.Detectors.Single(d => d.Name == "Scanner").Mode);
        Assert.Equal(DetectorMode.Off, feedback.Detectors.Single(d => d.Name == "RiskFactors").Mode);
        Assert.Equal(DetectorMode.Off, feedback.ModeOfRule(ReasonCodes.TorExit));
        Assert.Equal(DetectorMode.Enforce, feedback.ModeOfRule(ReasonCodes.CredentialStuffing));
        Assert.Contains(ReasonCodes.Burst, feedback.Detectors.Single(d => d.Name == "Burst").Rules);
    }

    [Theory]
    [InlineData("Fraud:Detectors:Brust:Mode", "Observe", "NumoTelemetry:Fraud:Detectors:Brust")]
    [InlineData("Fraud:Detectors:Burst:Mode", "7", "NumoTelemetry:Fraud:Detectors:Burst:Mode")]
    [InlineData("Fraud:MaxListEntries", "0", "NumoTelemetry:Fraud:MaxListEntries")]
    public void Configuration_BadFeedbackSetting_FailsAtStartNamingIt(string key, string value, string setting)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pseudonymization:Keys:1"] = KeyRing.GenerateKey(),
            [key] = value,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddNumoTelemetry(configuration);
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<NumoTelemetryOptions>>().Value);
        Assert.Contains(error.Failures, f => f.StartsWith(setting, StringComparison.Ordinal));
    }
}
