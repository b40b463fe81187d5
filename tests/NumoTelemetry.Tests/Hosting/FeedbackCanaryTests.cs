using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NumoTelemetry.Fraud.Feedback;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Fraud;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Hosting;

/// <summary>
/// The fraud team's outputs (Slack and Teams messages, alert log records, list entries, feedback metrics and errors) carry no raw
/// value: a credential-stuffing run with canary user names from a canary IP through a real Kestrel host, then feedback on it.
/// </summary>
public sealed class FeedbackCanaryTests
{
    private const string CanaryIp = "198.51.100.214";
    private const string CanaryUser = "canary.fraud.user";

    [Fact]
    public async Task RawIdentifiers_NeverAppearInChatMessagesAlertLogsListsOrFeedbackErrors()
    {
        var received = new ConcurrentQueue<string>();
        var receiverBuilder = WebApplication.CreateSlimBuilder();
        receiverBuilder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        receiverBuilder.Logging.ClearProviders();
        await using var receiver = receiverBuilder.Build();
        receiver.MapPost("/{channel}", async (HttpContext context, string channel) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            received.Enqueue(channel + " " + await reader.ReadToEndAsync());
            return Results.Ok();
        });
        await receiver.StartAsync();
        var hooks = receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        await using var site = await TestSite.StartAsync(o =>
        {
            o.Alerts.GroupWait = TimeSpan.Zero;
            o.Alerts.Slack.Url = new Uri(hooks + "/slack");
            o.Alerts.Teams.Url = new Uri(hooks + "/teams");
            o.Alerts.WorkspaceUrl = new Uri("https://shop.example/numo");
        });
        for (var i = 0; i < 30; i++)
        {
            using var login = new HttpRequestMessage(HttpMethod.Post, "/login");
            login.Headers.TryAddWithoutValidation("X-Forwarded-For", CanaryIp);
            login.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = $"{CanaryUser}{i}@example.test", ["password"] = "wrong" });
            using var response = await site.Client.SendAsync(login);
        }

        for (var i = 0; i < 400 && !(received.Any(r => r.StartsWith("slack", StringComparison.Ordinal)) && received.Any(r => r.StartsWith("teams", StringComparison.Ordinal))); i++)
        {
            await Task.Delay(25);
        }

        Assert.Contains(received, r => r.StartsWith("slack", StringComparison.Ordinal) && r.Contains("credential-stuffing", StringComparison.Ordinal));
        Assert.Contains(received, r => r.StartsWith("teams", StringComparison.Ordinal) && r.Contains("https://shop.example/numo/fraud/#/alert/al_", StringComparison.Ordinal));

        // Feedback: a raw value is refused without being repeated; the pseudonym from the alert is taken.
        var feedback = site.App.Services.GetRequiredService<IFraudFeedback>();
        var errors = new List<string>();
        foreach (var raw in new[] { CanaryIp, CanaryUser + "0@example.test" })
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(async () => await feedback.AddAsync(new FraudListEntry { SubjectKind = SubjectKind.Ip, Subject = raw }));
            errors.Add(error.ToString());
            error = await Assert.ThrowsAsync<ArgumentException>(async () => await feedback.MarkAsync(FraudVerdict.FalsePositive, SubjectKind.User, raw, ReasonCodes.CredentialStuffing));
            errors.Add(error.ToString());
        }

        var alertLog = site.Logs.GetSnapshot().First(r => r.Category == "NumoTelemetry.Alerts");
        var subject = alertLog.StructuredState!.First(p => p.Key == "numo.alert.subject").Value!;
        await feedback.MarkAsync(FraudVerdict.FalsePositive, SubjectKind.Ip, subject, ReasonCodes.CredentialStuffing, by: "investigator");
        await feedback.AddAsync(new FraudListEntry { List = FraudListKind.Deny, SubjectKind = SubjectKind.Ip, Subject = subject, Rule = ReasonCodes.CredentialStuffing });

        var outputs = new List<(string Where, string Text)>();
        outputs.AddRange(received.Select(r => ("chat message", r)));
        outputs.AddRange(errors.Select(e => ("feedback error", e)));
        foreach (var record in site.Logs.GetSnapshot().Where(r => r.Category?.StartsWith("NumoTelemetry", StringComparison.Ordinal) == true))
        {
            outputs.Add(($"log {record.Category}", record.Message));
            foreach (var pair in record.StructuredState ?? [])
            {
                outputs.Add(($"log state {record.Category}", pair.Key + "=" + pair.Value));
            }
        }

        foreach (var entry in feedback.GetEntries())
        {
            outputs.Add(("list entry", string.Join(' ', entry.Id, entry.Subject, entry.Rule, entry.CreatedBy)));
        }

        outputs.AddRange(site.MetricTagValues.Select(t => ("metric tag", t)));
        Assert.Contains(site.MetricTagValues, t => t == "numo.rule=credential-stuffing");
        Assert.Contains(outputs, o => o.Where == "log state NumoTelemetry.Alerts" && o.Text.StartsWith("numo.alert.json=", StringComparison.Ordinal));
        foreach (var (where, text) in outputs)
        {
            foreach (var canary in new[] { CanaryIp, CanaryUser, "127.0.0.1" })
            {
                Assert.False(text.Contains(canary, StringComparison.OrdinalIgnoreCase), $"Raw value '{canary}' leaked into {where}: {text}");
            }
        }
    }
}
