using Microsoft.Playwright;
using NumoTelemetry.Dashboard.Tests.Infrastructure;

namespace NumoTelemetry.Dashboard.Tests.Sample;

/// <summary>
/// Filter chips on every dimension in real Chromium against the sample: a click on a referrer, a language and a goal
/// row adds a chip each, every list follows, the filters are in the URL (a reload or a shared address shows the same
/// view), a chip's × removes it, and the phone width (390 px) shows the chips without clipping. Screenshots go to the
/// test artifacts.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class FilterBrowserTests(SampleServer server)
{
    [SkippableFact]
    public async Task Dashboard_InChromium_FiltersByAnyListAndKeepsThemInTheUrl()
    {
        Skip.IfNot(File.Exists(Chromium.Path), Chromium.SkipReason);
        var shots = Artifacts.Directory("screenshots");
        var baseUrl = server.BaseAddress.ToString().TrimEnd('/');
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        await using var context = await Chromium.NewDesktopContextAsync(browser);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => errors.AddRange(message.Type == "error" ? [message.Text + " on " + page.Url] : []);
        await Chromium.SignInAsync(page, baseUrl);
        var demo = await context.APIRequest.PostAsync(baseUrl + "/analyst/demo-traffic?visitors=150&seed=11");
        Assert.Equal(200, demo.Status);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await page.GotoAsync(baseUrl + "/numo/?range=24h");
            await page.WaitForSelectorAsync("body[data-loaded=true]");
        }
        while (await page.Locator("table[data-dim=referrer] tbody tr:not(.other):not(.total) button").CountAsync() < 2 && DateTime.UtcNow < deadline);

        // A referrer, then a language: two chips, both in the URL, and every list filtered by both.
        var referrer = await page.Locator("table[data-dim=referrer] tbody tr:not(.other):not(.total) button").First.InnerTextAsync();
        await page.Locator("table[data-dim=referrer] tbody tr:not(.other):not(.total) button").First.ClickAsync();
        await page.WaitForSelectorAsync(".chip[data-filter=referrer]");
        await page.WaitForSelectorAsync("body[data-loaded=true]");
        await page.WaitForFunctionAsync("() => document.querySelector('table[data-dim=language] tbody tr:not(.other):not(.total) button') !== null");
        var language = await page.Locator("table[data-dim=language] tbody tr:not(.other):not(.total) button").First.InnerTextAsync();
        await page.Locator("table[data-dim=language] tbody tr:not(.other):not(.total) button").First.ClickAsync();
        await page.WaitForSelectorAsync(".chip[data-filter=language]");
        await page.WaitForFunctionAsync("() => new URLSearchParams(location.search).has('language') && new URLSearchParams(location.search).has('referrer')");
        Assert.Equal(referrer, Query(page.Url, "referrer"));
        Assert.Equal(language, Query(page.Url, "language"));
        // The address changes before the refiltered view is drawn: wait for the drawing, then check what it says.
        await page.WaitForFunctionAsync("() => document.querySelector('table[data-dim=language] button[aria-pressed=true]') !== null");
        await page.WaitForFunctionAsync("() => document.body.dataset.loaded === 'true' && (document.querySelector('#traffic-caption') || {}).textContent?.includes('filtered')", null, new() { Timeout = 15_000 });
        Assert.Contains("filtered", await page.InnerTextAsync("#traffic-caption"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "filters-referrer-language.png"), FullPage = true });

        // The address is the view: opened afresh (a bookmark, a colleague's link) it shows the same chips.
        var filteredUrl = page.Url;
        var second = await context.NewPageAsync();
        await second.GotoAsync(filteredUrl);
        await second.WaitForSelectorAsync("body[data-loaded=true]");
        Assert.Equal(2, await second.Locator(".chip").CountAsync());
        Assert.Contains(referrer, await second.InnerTextAsync(".chip[data-filter=referrer]"), StringComparison.Ordinal);

        // A goal: the lists count its conversions (events, with a conversion rate).
        await page.GotoAsync(baseUrl + "/numo/?range=24h");
        await page.WaitForSelectorAsync("body[data-loaded=true]");
        await page.Locator("table[data-dim=goal] tbody tr:not(.other):not(.total) button").First.ClickAsync();
        await page.WaitForSelectorAsync(".chip[data-filter=goal]");
        await page.WaitForFunctionAsync("() => (document.querySelector('table[data-dim=country] thead') || {}).textContent?.includes('Events')");
        Assert.Contains("Conversion", await page.InnerTextAsync("table[data-dim=country] thead"), StringComparison.Ordinal);
        Assert.Contains("counted apart", await page.InnerTextAsync("#list-event"), StringComparison.Ordinal);
        Assert.StartsWith("Conversions and visitors", await page.InnerTextAsync("#traffic-caption"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "filters-goal.png"), FullPage = true });

        // Removing the chip removes the filter from the view and the URL.
        await page.ClickAsync(".chip[data-filter=goal] button");
        await page.WaitForFunctionAsync("() => document.querySelector('.chip') === null && !new URLSearchParams(location.search).has('goal')");

        // Phone width: the chips wrap within the screen.
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync(filteredUrl);
        await page.WaitForSelectorAsync("body[data-loaded=true]");
        Assert.Equal(2, await page.Locator(".chip").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page is wider than the screen");
        Assert.True(await page.EvaluateAsync<bool>("() => [...document.querySelectorAll('.chip')].every(c => c.getBoundingClientRect().right <= window.innerWidth)"), "a chip is clipped");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "filters-390.png") });
        Assert.Empty(errors);
    }

    private static string Query(string url, string name) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(url).Query)[name].ToString();
}
