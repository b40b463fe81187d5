using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using NumoTelemetry.Dashboard.Tests.Infrastructure;

namespace NumoTelemetry.Dashboard.Tests.Sample;

/// <summary>
/// The dashboard in a real browser (Debian's chromium driven by Playwright) against the sample on 127.0.0.1:
/// sign-in, numbers, charts, suppression, refusal of anonymous visitors. Screenshots go to TestResults/screenshots.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class BrowserEndToEndTests(SampleServer server)
{

    [SkippableFact]
    public async Task Dashboard_InChromium_SignsInShowsNumbersAndSuppressesSmallCells()
    {
        Skip.IfNot(File.Exists(Chromium.Path), Chromium.SkipReason);
        var shots = Artifacts.Directory("screenshots");
        var baseUrl = server.BaseAddress.ToString().TrimEnd('/');

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);

        // An anonymous visitor is refused: the page sends them to sign in, the API answers 401.
        await using (var anonymous = await browser.NewContextAsync())
        {
            var page = await anonymous.NewPageAsync();
            await page.GotoAsync(baseUrl + "/numo/");
            Assert.Contains("/analyst/login", page.Url, StringComparison.Ordinal);
            Assert.Equal(0, await page.Locator("#traffic").CountAsync());
            var api = await anonymous.APIRequest.GetAsync(baseUrl + "/numo/api/overview");
            Assert.Equal(401, api.Status);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "anonymous-refused.png") });
        }

        await using var context = await Chromium.NewDesktopContextAsync(browser);
        var analyst = await context.NewPageAsync();
        var consoleErrors = new List<string>();
        analyst.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add(message.Text);
            }
        };

        // Sign in through the form.
        await analyst.GotoAsync(baseUrl + "/numo/");
        await analyst.FillAsync("#password", SampleServer.Password);
        await analyst.ClickAsync("button[type=submit]");
        await Chromium.WaitForPathAsync(analyst, "/numo/");

        // Demo traffic through the site's own pipeline (the API request shares the analyst's cookie).
        var before = await PageViewsAsync(context, baseUrl);
        var demoResponse = await context.APIRequest.PostAsync(baseUrl + "/analyst/demo-traffic?visitors=80&seed=11");
        Assert.Equal(200, demoResponse.Status);
        var demo = JsonSerializer.Deserialize<DemoTrafficResult>(await demoResponse.TextAsync(), JsonSerializerOptions.Web)!;
        var expected = before + demo.PageViews;

        // Reload until the aggregates are written (the sample writes every second), then read the page.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string kpi;
        do
        {
            await analyst.GotoAsync(baseUrl + "/numo/?range=24h");
            await analyst.WaitForSelectorAsync("body[data-loaded=true]");
            kpi = await analyst.InnerTextAsync("[data-kpi=pageViews]");
        }
        while (kpi != expected.ToString("N0", CultureInfo.InvariantCulture) && DateTime.UtcNow < deadline);

        Assert.Equal(expected.ToString("N0", CultureInfo.InvariantCulture), kpi);

        // The chart is drawn with the same numbers: its released points add up to the total.
        var values = await analyst.GetAttributeAsync("#traffic-chart", "data-values");
        var points = values!.Split(',');
        Assert.DoesNotContain("S", points);
        Assert.Equal(expected, points.Sum(long.Parse));
        Assert.True(await analyst.Locator("#traffic-chart path.line-views").CountAsync() == 1);
        Assert.True(await analyst.Locator("#traffic-chart circle.dot").CountAsync() >= 1);

        // The two forum visitors are fewer than k: their referrer is folded into "Other", its name nowhere on the page.
        Assert.DoesNotContain("forum.example.net", await analyst.ContentAsync(), StringComparison.Ordinal);
        var other = analyst.Locator("table[data-dim=referrer] tr.other");
        Assert.Equal(1, await other.CountAsync());
        Assert.Matches("^[0-9,]+$", (await other.Locator("td.num").First.InnerTextAsync()).Trim());
        var direct = analyst.Locator("table[data-dim=referrer] tr[data-label='(direct)']");
        Assert.NotEqual("suppressed", await direct.GetAttributeAsync("data-value"));
        Assert.Equal(0, await analyst.Locator("#top-lists tr.is-suppressed").CountAsync());

        await analyst.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "dashboard-24h.png"), FullPage = true });

        // The last hour by minute, and a filter chosen by clicking a route.
        await analyst.ClickAsync("label[for=range-1h]");
        await analyst.WaitForFunctionAsync("() => document.querySelector('#traffic-caption').textContent.includes('minute')");
        await analyst.ClickAsync("table[data-dim=route] tr[data-label='/products/{id:int}'] button");
        await analyst.WaitForSelectorAsync(".chip[data-filter=route]");
        await analyst.WaitForFunctionAsync("() => document.querySelector('#traffic-caption').textContent.includes('filtered')");
        Assert.Contains("route=%2Fproducts", analyst.Url, StringComparison.Ordinal);
        await analyst.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "dashboard-1h-filtered.png"), FullPage = true });

        // A phone-sized screen.
        await analyst.SetViewportSizeAsync(390, 844);
        await analyst.WaitForTimeoutAsync(500); // the charts redraw after a resize
        await analyst.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "dashboard-mobile.png") });

        Assert.Empty(consoleErrors);
    }

    private static async Task<long> PageViewsAsync(IBrowserContext context, string baseUrl)
    {
        var response = await context.APIRequest.GetAsync(baseUrl + "/numo/api/overview?range=24h");
        using var json = JsonDocument.Parse(await response.TextAsync());
        var views = json.RootElement.GetProperty("totals").GetProperty("pageViews");
        return views.ValueKind == JsonValueKind.Number ? views.GetInt64() : 0;
    }
}
