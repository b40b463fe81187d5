using System.Net;
using System.Text;
using Microsoft.Playwright;
using NumoTelemetry.Dashboard.Tests.Infrastructure;

namespace NumoTelemetry.Dashboard.Tests.Sample;

/// <summary>
/// The fraud workspace in a real browser (Debian's chromium driven by Playwright) against the sample on 127.0.0.1: an attack
/// raises an alert, the investigator signs in with the sample's investigator password, opens it, marks it a false positive,
/// follows the subject's timeline, looks a raw value up (audited, never shown); an analyst cannot reach any of it.
/// Screenshots go to TestResults/screenshots (or NUMO_TEST_ARTIFACTS).
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class WorkspaceBrowserTests(SampleServer server)
{
    private const string Attacker = "203.0.113.213";

    [SkippableFact]
    public async Task Workspace_InChromium_InvestigatorTriagesAnAlertAndAnalystIsRefused()
    {
        Skip.IfNot(File.Exists(Chromium.Path), Chromium.SkipReason);
        var shots = Artifacts.Directory("screenshots");
        var baseUrl = server.BaseAddress.ToString().TrimEnd('/');
        var seen = new StringBuilder();

        // Credential stuffing against the sample's sign-in, from one address (the sample trusts X-Forwarded-For from loopback).
        using (var attacker = new HttpClient(new HttpClientHandler { UseCookies = false, UseProxy = false }) { BaseAddress = server.BaseAddress })
        {
            attacker.DefaultRequestHeaders.Add("X-Forwarded-For", Attacker);
            attacker.DefaultRequestHeaders.Add("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36");
            for (var i = 0; i < 25; i++)
            {
                using var form = new FormUrlEncodedContent([new("username", $"customer{i}"), new("password", "Winter2024!")]);
                using var response = await attacker.PostAsync("/login", form);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);

        // An analyst signs in with the analysts' password: the workspace and its API refuse them.
        await using (var analystContext = await browser.NewContextAsync())
        {
            var analyst = await analystContext.NewPageAsync();
            await analyst.GotoAsync(baseUrl + "/numo/");
            await analyst.FillAsync("#password", SampleServer.Password);
            await analyst.ClickAsync("button[type=submit]");
            await Chromium.WaitForPathAsync(analyst, "/numo/");
            var page = await analyst.GotoAsync(baseUrl + "/numo/fraud/");
            Assert.Equal(403, page!.Status);
            foreach (var path in new[] { "/numo/api/alerts", "/numo/api/audit", "/numo/api/allowlist", "/numo/api/subjects/ip/k1.AAAAAAAAAAAAAAAAAAAAAA" })
            {
                Assert.Equal(403, (await analystContext.APIRequest.GetAsync(baseUrl + path)).Status);
            }

            Assert.Equal(403, (await analystContext.APIRequest.PostAsync(baseUrl + "/numo/api/lookup", new APIRequestContextOptions { DataObject = new { kind = "ip", value = "192.0.2.1" } })).Status);
            await analyst.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "workspace-analyst-refused.png") });
        }

        await using var context = await Chromium.NewDesktopContextAsync(browser);
        var investigator = await context.NewPageAsync();
        var consoleErrors = new List<string>();
        investigator.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add(message.Text);
            }
        };

        // Anonymous: sent to sign in; the investigator's password gives the workspace.
        await investigator.GotoAsync(baseUrl + "/numo/fraud/");
        Assert.Contains("/analyst/login", investigator.Url, StringComparison.Ordinal);
        await investigator.FillAsync("#password", SampleServer.InvestigatorPassword);
        await investigator.ClickAsync("button[type=submit]");
        await Chromium.WaitForPathAsync(investigator, "/numo/fraud/");

        // The inbox, filtered to the rule, until the attack's alert is listed.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        ILocator row;
        do
        {
            await investigator.GotoAsync(baseUrl + "/numo/fraud/#/?rule=credential-stuffing&state=new");
            await investigator.ReloadAsync();
            await investigator.WaitForSelectorAsync("body[data-loaded=true]");
            row = investigator.Locator("#alerts tbody tr").First;
        }
        while (await row.CountAsync() == 0 && DateTime.UtcNow < deadline);

        Assert.Equal(1, await row.CountAsync());
        Assert.Equal("credential-stuffing", await investigator.InputValueAsync("#f-rule"));
        seen.Append(await investigator.ContentAsync());
        await investigator.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "workspace-inbox.png"), FullPage = true });

        // The alert's detail: reasons with points, evidence in words and JSON, subject, review buttons.
        await row.Locator("a").First.ClickAsync();
        await investigator.WaitForSelectorAsync("#alert-title");
        await investigator.WaitForSelectorAsync("body[data-loaded=true]");
        Assert.Equal("credential-stuffing", await investigator.InnerTextAsync("#alert-title"));
        Assert.Equal(1, await investigator.Locator("tr[data-reason=credential-stuffing]").CountAsync());
        Assert.Contains("failed logins", await investigator.InnerTextAsync("#evidence-words"), StringComparison.Ordinal);
        Assert.Contains("\"failedLogins\"", await investigator.TextContentAsync("#evidence-json"), StringComparison.Ordinal);
        seen.Append(await investigator.ContentAsync());
        await investigator.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "workspace-alert.png"), FullPage = true });

        // Marked a false positive with a note: state, history with the investigator's name, the allow entry.
        await investigator.FillAsync("#review-note", "Our own load test from the QA network");
        await investigator.ClickAsync("#review-false-positive");
        await investigator.WaitForSelectorAsync("#history tbody tr");
        Assert.Equal(1, await investigator.Locator(".head .state[data-state=false-positive]").CountAsync());
        var history = await investigator.InnerTextAsync("#history");
        Assert.Contains("investigator", history, StringComparison.Ordinal);
        Assert.Contains("Our own load test from the QA network", history, StringComparison.Ordinal);
        Assert.Equal(1, await investigator.Locator("tr[data-list=allow]").CountAsync());
        Assert.True(await investigator.IsDisabledAsync("#review-false-positive"));
        seen.Append(await investigator.ContentAsync());
        await investigator.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "workspace-alert-false-positive.png"), FullPage = true });

        // The subject's timeline: its recent requests and linked subjects, pseudonymous.
        var subject = await investigator.InnerTextAsync(".facts .kpi .value a");
        await investigator.ClickAsync("#open-timeline");
        await investigator.WaitForSelectorAsync("#subject-title");
        await investigator.WaitForSelectorAsync("body[data-loaded=true]");
        Assert.Equal(subject, await investigator.InnerTextAsync("#subject-id"));
        Assert.True(await investigator.Locator("#timeline tbody tr").CountAsync() >= 10);
        var timeline = await investigator.InnerTextAsync("#timeline");
        Assert.Contains("/login", timeline, StringComparison.Ordinal);
        Assert.Contains("login_failed", timeline, StringComparison.Ordinal);
        Assert.Contains("Chrome", timeline, StringComparison.Ordinal);
        Assert.True(await investigator.Locator("#linked tbody tr").CountAsync() >= 2);
        seen.Append(await investigator.ContentAsync());
        await investigator.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "workspace-subject-timeline.png"), FullPage = true });

        // A raw-value lookup (the sample's investigator holds the lookup permission): the subject, never the value.
        await investigator.ClickAsync("#nav-lookup");
        await investigator.WaitForSelectorAsync("#lookup-value");
        await investigator.SelectOptionAsync("#lookup-kind", "ip");
        await investigator.FillAsync("#lookup-value", Attacker);
        await investigator.ClickAsync("#lookup-submit");
        await investigator.WaitForSelectorAsync("#lookup-result li");
        Assert.Equal(string.Empty, await investigator.InputValueAsync("#lookup-value"));
        var found = await investigator.InnerTextAsync("#lookup-result");
        Assert.Contains(subject, found, StringComparison.Ordinal);
        seen.Append(await investigator.ContentAsync());
        await investigator.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "workspace-lookup.png"), FullPage = true });

        // The audit trail: the lookup (who, when, kind) and the review.
        await investigator.ClickAsync("nav a[data-view=audit]");
        await investigator.WaitForSelectorAsync("#audit tbody tr");
        Assert.True(await investigator.Locator("#audit tr[data-action=lookup]").CountAsync() >= 1);
        Assert.Contains("investigator", await investigator.InnerTextAsync("#audit tr[data-action=lookup]"), StringComparison.Ordinal);
        Assert.True(await investigator.Locator("#audit tr[data-action=review]").CountAsync() >= 1);
        seen.Append(await investigator.ContentAsync());
        await investigator.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "workspace-audit.png"), FullPage = true });

        // A phone-sized screen.
        await investigator.SetViewportSizeAsync(390, 844);
        await investigator.GotoAsync(baseUrl + "/numo/fraud/#/");
        await investigator.WaitForSelectorAsync("#alerts tbody tr");
        await investigator.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "workspace-mobile.png") });

        // The attacker's address is nowhere: not on a page, not in the sample's output, not in its files.
        Assert.DoesNotContain(Attacker, seen.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Attacker, server.Output, StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(server.ContentRoot, "*", SearchOption.AllDirectories))
        {
            if (file.EndsWith(".lock", StringComparison.Ordinal))
            {
                continue; // the request-log writer's erasure lock: empty, and held exclusively while the site runs
            }

            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            Assert.DoesNotContain(Attacker, await reader.ReadToEndAsync(), StringComparison.Ordinal);
        }

        Assert.Empty(consoleErrors);
    }
}
