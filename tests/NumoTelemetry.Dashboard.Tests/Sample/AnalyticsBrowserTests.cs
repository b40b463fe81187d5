using System.Globalization;
using Microsoft.Playwright;
using NumoTelemetry.Dashboard.Tests.Infrastructure;

namespace NumoTelemetry.Dashboard.Tests.Sample;

/// <summary>
/// The analysts' additions and display fixes in real Chromium against the sample (goals and a funnel configured in its
/// appsettings.json): goals, pages and funnels shown; custom period and comparison kept in the URL; nice axis ticks;
/// withheld points as zero-height marks; section headings not under the sticky header; the favicon; the phone width;
/// "people" on withheld counts; sign-out. Screenshots go to the test artifacts.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class AnalyticsBrowserTests(SampleServer server)
{

    [SkippableFact]
    public async Task Dashboard_InChromium_ShowsAnalyticsAndDisplaysFixes()
    {
        Skip.IfNot(File.Exists(Chromium.Path), Chromium.SkipReason);
        var shots = Artifacts.Directory("screenshots");
        var baseUrl = server.BaseAddress.ToString().TrimEnd('/');
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        await using var context = await Chromium.NewDesktopContextAsync(browser);
        var page = await context.NewPageAsync();
        var consoleErrors = new List<string>();
        var notFound = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add(message.Text + " at " + message.Location + " on " + page.Url);
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status == 404)
            {
                notFound.Add(response.Url);
            }
        };

        await Chromium.SignInAsync(page, baseUrl);
        var demo = await context.APIRequest.PostAsync(baseUrl + "/analyst/demo-traffic?visitors=120&seed=5");
        Assert.Equal(200, demo.Status);

        // Goals and the funnel appear once the aggregates are written (the sample writes every second).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await page.GotoAsync(baseUrl + "/numo/?range=24h");
            await page.WaitForSelectorAsync("body[data-loaded=true]");
        }
        while (await page.Locator("table[data-dim=goal] tr[data-label='Product viewed']").CountAsync() == 0 && DateTime.UtcNow < deadline);

        var goal = page.Locator("table[data-dim=goal] tr[data-label='Product viewed']");
        Assert.Equal(1, await goal.CountAsync());
        Assert.Contains("Conversion", await page.InnerTextAsync("table[data-dim=goal] thead"), StringComparison.Ordinal);
        Assert.Matches("^[0-9.]+ %$", (await goal.Locator("td.num").Nth(2).InnerTextAsync()).Trim());
        Assert.Equal(1, await page.Locator("table[data-dim=page] tr[data-label='/about']").CountAsync());
        var funnel = page.Locator("[data-funnel='Home to product to about'] tr[data-step]");
        Assert.Equal(3, await funnel.CountAsync());
        Assert.Matches("^[0-9,]+$", (await funnel.First.Locator("td.num").First.InnerTextAsync()).Trim());

        // Axis ticks: whole, evenly spaced, no repeats.
        foreach (var chart in new[] { "#traffic-chart", "#live-chart", "#risk-scores" })
        {
            var ticks = (await page.GetAttributeAsync(chart, "data-ticks"))!.Split(',').Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(ticks.Length, ticks.Distinct().Count());
            Assert.True(ticks.Length >= 2, chart);
            Assert.All(ticks.Zip(ticks.Skip(1)), pair => Assert.Equal(ticks[1] - ticks[0], pair.Second - pair.First));
            Assert.Contains(ticks[1] - ticks[0], NiceSteps());
        }

        // Withheld counts in tables say they count people; "Other" is explained where it is.
        var cells = await page.Locator("td.num.suppressed").AllInnerTextsAsync();
        Assert.All(cells, text => Assert.EndsWith("people", text.Trim(), StringComparison.Ordinal));
        Assert.True(await page.Locator("tr.other + tr.other-note").CountAsync() >= 1);
        Assert.Contains("fewer than 5 people", await page.Locator("tr.other-note").First.InnerTextAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "analytics-24h.png"), FullPage = true });

        // A section link lands with its heading below the sticky header.
        await page.ClickAsync("nav a[href='#funnels']");
        await page.WaitForFunctionAsync("() => Math.abs(document.querySelector('#funnels').getBoundingClientRect().top - document.querySelector('.top').getBoundingClientRect().bottom) < 200");
        var header = await page.Locator(".top").BoundingBoxAsync();
        var heading = await page.Locator("#funnels-title").BoundingBoxAsync();
        Assert.True(heading!.Y >= header!.Y + header.Height, $"heading at {heading.Y}, header ends at {header.Y + header.Height}");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "analytics-section-link.png") });

        // Withheld points: a one-minute view filtered to a small cell (a route seen with one browser by few people) has
        // withheld minutes; they are drawn as hatched marks without height, not as full-height bars.
        // A cell certainly smaller than k: two people (own addresses through the trusted loopback proxy) with a browser the demo
        // traffic never uses. Other tests share this sample and add traffic, so the demo's own cells may all be large by now.
        const string Opera = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0";
        using (var http = new HttpClient { BaseAddress = server.BaseAddress })
        {
            foreach (var address in new[] { "198.51.100.201", "198.51.100.202" })
            {
                for (var i = 0; i < 2; i++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, "/about");
                    request.Headers.TryAddWithoutValidation("User-Agent", Opera);
                    request.Headers.TryAddWithoutValidation("X-Forwarded-For", address);
                    using var response = await http.SendAsync(request);
                }
            }
        }

        string? small = null;
        var smallDeadline = DateTime.UtcNow.AddSeconds(20); // the sample writes its aggregates every second
        while (small is null && DateTime.UtcNow < smallDeadline)
        {
            foreach (var filter in new[] { "range=1h&route=%2Fabout&browser=Opera", "range=1h&browser=Opera" })
            {
                var overview = await context.APIRequest.GetAsync(baseUrl + "/numo/api/overview?" + filter);
                if (small is null && (await overview.TextAsync()).Contains("\"suppressed\":true", StringComparison.Ordinal))
                {
                    small = filter;
                }
            }

            if (small is null)
            {
                await Task.Delay(500);
            }
        }

        Assert.NotNull(small);
        await page.GotoAsync(baseUrl + "/numo/?" + small);
        await page.WaitForSelectorAsync("body[data-loaded=true]");
        Assert.Contains("S", await page.GetAttributeAsync("#traffic-chart", "data-values"), StringComparison.Ordinal);
        var heights = await page.EvalOnSelectorAllAsync<double[]>("#traffic-chart rect[fill^='url(']", "els => els.map(e => +e.getAttribute('height'))");
        Assert.NotEmpty(heights);
        Assert.All(heights, h => Assert.True(h <= 6, $"a withheld mark {h} px high"));
        Assert.Contains("Withheld", await page.InnerTextAsync("#traffic figcaption .legend"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "analytics-withheld-points.png") });

        // A custom period compared with the one before, set in the page and kept in the URL.
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var weekAgo = DateTime.UtcNow.AddDays(-6).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await page.GotoAsync(baseUrl + "/numo/?range=24h");
        await page.WaitForSelectorAsync("body[data-loaded=true]");
        await page.FillAsync("#range-from", weekAgo);
        await page.FillAsync("#range-to", today);
        await page.SelectOptionAsync("#compare", "previous");
        await page.ClickAsync("#period button[type=submit]");
        await page.WaitForFunctionAsync("() => document.querySelector('#traffic-caption').textContent.includes('compared')");
        Assert.Contains($"from={weekAgo}", page.Url, StringComparison.Ordinal);
        Assert.Contains("compare=previous", page.Url, StringComparison.Ordinal);
        Assert.StartsWith("before:", (await page.InnerTextAsync("[data-previous=pageViews]")).Trim(), StringComparison.Ordinal);
        Assert.Contains("Change", await page.InnerTextAsync("table[data-dim=page] thead"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "analytics-custom-compare.png"), FullPage = true });
        var bookmarked = page.Url;
        await page.GotoAsync(bookmarked);
        await page.WaitForSelectorAsync("body[data-loaded=true]");
        Assert.Equal(weekAgo, await page.InputValueAsync("#range-from"));
        Assert.Equal("previous", await page.InputValueAsync("#compare"));

        // A phone: nothing wider than the screen, the nav there, the alert table scrolls instead of clipping.
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync(baseUrl + "/numo/?range=24h");
        await page.WaitForSelectorAsync("body[data-loaded=true]");
        Assert.True(await page.Locator("nav a[href='#fraud']").IsVisibleAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page is wider than the screen");
        var clipped = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth && getComputedStyle(w).overflowX !== 'auto').map(w => w.id || w.parentElement.id)");
        Assert.Empty(clipped);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "analytics-390.png") });
        await page.ClickAsync("nav a[href='#fraud']");
        await page.WaitForTimeoutAsync(300); // the scroll settles
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "analytics-390-fraud.png") });
        await page.SetViewportSizeAsync(1366, 900);

        // The favicon is served; no request of the page ended in 404.
        var icon = await context.APIRequest.GetAsync(baseUrl + "/numo/favicon.ico");
        Assert.Equal(200, icon.Status);
        Assert.True(notFound.Count == 0, "404: " + string.Join(", ", notFound));
        Assert.True(consoleErrors.Count == 0, "console: " + string.Join(" | ", consoleErrors));

        // Sign out: the control ends the session; the API refuses afterwards.
        await page.ClickAsync("form.signout button");
        await Chromium.WaitForUrlAsync(page, url => !url.AbsolutePath.StartsWith("/numo", StringComparison.Ordinal), "outside /numo");
        var after = await context.APIRequest.GetAsync(baseUrl + "/numo/api/meta");
        Assert.Equal(401, after.Status);
    }

    private static long[] NiceSteps() => [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];
}
