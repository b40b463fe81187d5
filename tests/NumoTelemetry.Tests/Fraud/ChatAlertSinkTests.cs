using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>Slack and Microsoft Teams messages and the digest, against a real HTTP receiver (Kestrel on 127.0.0.1, a free port).</summary>
public sealed class ChatAlertSinkTests : IAsyncLifetime
{
    private static readonly Uri Workspace = new("https://shop.example/numo");
    private readonly ConcurrentQueue<(string Path, JsonElement Body)> _received = new();
    private readonly ConcurrentQueue<int> _answers = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private WebApplication? _receiver;
    private string _address = string.Empty;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _receiver = builder.Build();
        _receiver.MapPost("/{channel}", async (HttpContext context, string channel) =>
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body);
            _received.Enqueue((channel, document.RootElement.Clone()));
            return Results.StatusCode(_answers.TryDequeue(out var status) ? status : 200);
        });
        await _receiver.StartAsync();
        _address = _receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync()
    {
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }

        await _services.DisposeAsync();
    }

    private IOptions<NumoTelemetryOptions> Options(Action<AlertOptions>? configure = null)
    {
        var options = new NumoTelemetryOptions();
        options.Alerts.Slack.Url = new Uri(_address + "/slack");
        options.Alerts.Teams.Url = new Uri(_address + "/teams");
        options.Alerts.Slack.InitialBackoff = options.Alerts.Teams.InitialBackoff = TimeSpan.FromMilliseconds(20);
        options.Alerts.Slack.MaxBackoff = options.Alerts.Teams.MaxBackoff = TimeSpan.FromMilliseconds(100);
        options.Alerts.WorkspaceUrl = Workspace;
        configure?.Invoke(options.Alerts);
        return Microsoft.Extensions.Options.Options.Create(options);
    }

    private FraudMetrics Metrics() => new(_services.GetRequiredService<IMeterFactory>());

    internal static FraudAlert Alert(string id = "al_test", RiskBand band = RiskBand.Page, string rule = ReasonCodes.CredentialStuffing, string? evidenceText = null) => new(
        id, rule, band, band == RiskBand.Page ? 96.5 : 61.2, "ip", "k1.q83vEjRWeJCrze8SNFZ4kA",
        new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 2, 6, 20, 0, TimeSpan.Zero), 219,
        [new FraudReason(rule, 96.5), new FraudReason(ReasonCodes.HostingNetwork, 10)],
        evidenceText is null
            ? [new("failedLogins", 228.0), new("distinctAccounts", 131.0)]
            : [new("failedLogins", 228.0), new("country", evidenceText)]);

    private async Task<(string Path, JsonElement Body)[]> WaitForAsync(int count)
    {
        for (var i = 0; i < 400 && _received.Count < count; i++)
        {
            await Task.Delay(25);
        }

        return [.. _received];
    }

    [Fact]
    public async Task Publish_Slack_PostsSummarySeverityEvidenceAndAWorkspaceLink()
    {
        await using var sink = new SlackAlertSink(Options(), Metrics(), NullLoggerFactory.Instance, TimeProvider.System);
        sink.Publish(Alert());
        var (path, body) = Assert.Single(await WaitForAsync(1));

        Assert.Equal("slack", path);
        Assert.Equal("[PAGE] credential-stuffing on ip k1.q83vEjRWeJCrze8SNFZ4kA (score 96.5, 219 hits)", body.GetProperty("text").GetString());
        var blocks = body.GetProperty("blocks").EnumerateArray().ToArray();
        var fields = blocks[1].GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("text").GetString()).ToArray();
        Assert.Contains("*Severity*\npage", fields);
        Assert.Contains("*failedLogins*\n228", fields);
        Assert.Contains(fields, f => f!.Contains("credential-stuffing 96.5, hosting-network 10", StringComparison.Ordinal));
        var button = blocks[2].GetProperty("elements")[0];
        Assert.Equal("https://shop.example/numo/fraud/#/alert/al_test", button.GetProperty("url").GetString());
    }

    [Fact]
    public async Task Publish_Teams_PostsAnAdaptiveCardWithFactsAndAnOpenUrlAction()
    {
        await using var sink = new TeamsAlertSink(Options(), Metrics(), NullLoggerFactory.Instance, TimeProvider.System);
        sink.Publish(Alert());
        var (path, body) = Assert.Single(await WaitForAsync(1));

        Assert.Equal("teams", path);
        Assert.Equal("message", body.GetProperty("type").GetString());
        var attachment = body.GetProperty("attachments")[0];
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        var card = attachment.GetProperty("content");
        Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
        var items = card.GetProperty("body").EnumerateArray().ToArray();
        Assert.Equal("PAGE: credential-stuffing on ip k1.q83vEjRWeJCrze8SNFZ4kA", items[0].GetProperty("text").GetString());
        var facts = items[2].GetProperty("facts").EnumerateArray().ToDictionary(f => f.GetProperty("title").GetString()!, f => f.GetProperty("value").GetString());
        Assert.Equal("page", facts["Severity"]);
        Assert.Equal("228", facts["failedLogins"]);
        var action = card.GetProperty("actions")[0];
        Assert.Equal("Action.OpenUrl", action.GetProperty("type").GetString());
        Assert.Equal("https://shop.example/numo/fraud/#/alert/al_test", action.GetProperty("url").GetString());
    }

    [Fact]
    public async Task Publish_WithoutWorkspaceUrl_HasNoLink()
    {
        await using var sink = new SlackAlertSink(Options(a => a.WorkspaceUrl = null), Metrics(), NullLoggerFactory.Instance, TimeProvider.System);
        sink.Publish(Alert());
        var (_, body) = Assert.Single(await WaitForAsync(1));
        Assert.DoesNotContain(body.GetProperty("blocks").EnumerateArray(), b => b.GetProperty("type").GetString() == "actions");
    }

    [Fact]
    public async Task Publish_HostileEvidenceText_IsEscapedNoMentionNoLink()
    {
        await using var slack = new SlackAlertSink(Options(), Metrics(), NullLoggerFactory.Instance, TimeProvider.System);
        await using var teams = new TeamsAlertSink(Options(), Metrics(), NullLoggerFactory.Instance, TimeProvider.System);
        var alert = Alert(evidenceText: "<!channel> <https://evil.example|click> [x](https://evil.example)");
        slack.Publish(alert);
        teams.Publish(alert);
        var received = await WaitForAsync(2);
        foreach (var (path, body) in received)
        {
            // The strings as the chat tool reads them (JSON unescaped).
            var text = string.Join("\n", Strings(body));
            Assert.DoesNotContain("<!channel>", text, StringComparison.Ordinal); // a Slack mention
            Assert.DoesNotContain("<https://evil", text, StringComparison.Ordinal); // a Slack link
            if (path == "teams")
            {
                Assert.DoesNotContain("](https://evil", text, StringComparison.Ordinal); // a Markdown link
            }
        }
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        _ => [],
    };

    [Fact]
    public async Task Publish_ReceiverFailsOnce_Retries()
    {
        _answers.Enqueue(503);
        await using var sink = new SlackAlertSink(Options(), Metrics(), NullLoggerFactory.Instance, TimeProvider.System);
        sink.Publish(Alert());
        Assert.Equal(2, (await WaitForAsync(2)).Length);
        for (var i = 0; i < 200 && sink.Delivered == 0; i++)
        {
            await Task.Delay(25);
        }

        Assert.Equal(1, sink.Delivered);
    }

    [Fact]
    public async Task Digest_AlertsBelowPage_OneMessagePerIntervalPagesAtOnce()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero));
        var options = Options(a =>
        {
            a.Digest.Interval = TimeSpan.FromHours(1);
            a.Digest.MaxItems = 2;
        });
        await using var slack = new SlackAlertSink(options, Metrics(), NullLoggerFactory.Instance, time);
        await using var teams = new TeamsAlertSink(options, Metrics(), NullLoggerFactory.Instance, time);
        foreach (var sink in new ChatAlertSink[] { slack, teams })
        {
            sink.Publish(Alert("al_1", RiskBand.Alert, ReasonCodes.Burst));
            sink.Publish(Alert("al_2", RiskBand.Alert, ReasonCodes.Burst));
            sink.Publish(Alert("al_3", RiskBand.Alert, ReasonCodes.Crawling));
            sink.Publish(Alert("al_page", RiskBand.Page));
        }

        var pages = await WaitForAsync(2);
        Assert.All(pages, p => Assert.Contains("al_page", p.Body.GetRawText(), StringComparison.Ordinal));

        time.Advance(TimeSpan.FromHours(1));
        var all = await WaitForAsync(4);
        Assert.Equal(4, all.Length);
        var slackDigest = all.Single(r => r.Path == "slack" && !r.Body.GetRawText().Contains("al_page", StringComparison.Ordinal)).Body;
        Assert.Equal("NumoTelemetry: 3 fraud alerts below the page band in the last 1 h", slackDigest.GetProperty("text").GetString());
        var slackText = slackDigest.GetRawText();
        Assert.Contains("burst 2, crawling 1", slackText, StringComparison.Ordinal);
        Assert.Contains("https://shop.example/numo/fraud/#/alert/al_1|open", slackText, StringComparison.Ordinal);
        Assert.Contains("and 1 more", slackText, StringComparison.Ordinal);
        var teamsDigest = all.Single(r => r.Path == "teams" && !r.Body.GetRawText().Contains("al_page", StringComparison.Ordinal)).Body;
        Assert.Contains("3 fraud alerts below the page band", teamsDigest.GetRawText(), StringComparison.Ordinal);

        // An empty period sends nothing.
        time.Advance(TimeSpan.FromHours(1));
        await Task.Delay(200);
        Assert.Equal(4, _received.Count);
    }
}
