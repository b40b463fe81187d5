using Microsoft.Playwright;

namespace NumoTelemetry.Dashboard.Tests.Infrastructure;

/// <summary>Debian's chromium driven by Playwright, headless, for the browser tests.</summary>
internal static class Chromium
{
    public const string Path = "/usr/bin/chromium";

    public static string SkipReason => $"chromium is not installed at {Path} (Debian: apt-get install -y chromium); the browser test needs it.";

    /// <summary>Launches the browser.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = Path,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });

    /// <summary>A new browser context at the desktop width the browser tests look at (1366 × 900).</summary>
    public static Task<IBrowserContext> NewDesktopContextAsync(IBrowser browser) =>
        browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });

    /// <summary>Signs in as the sample's analyst on <paramref name="page"/>.</summary>
    public static async Task SignInAsync(IPage page, string baseUrl)
    {
        await page.GotoAsync(baseUrl + "/numo/");
        await page.FillAsync("#password", SampleServer.Password);
        await page.ClickAsync("button[type=submit]");
        await WaitForPathAsync(page, "/numo/");
    }

    /// <summary>Waits until the page's URL path starts with <paramref name="pathPrefix"/> (see <see cref="WaitForUrlAsync"/>).</summary>
    public static Task WaitForPathAsync(IPage page, string pathPrefix) =>
        WaitForUrlAsync(page, url => url.AbsolutePath.StartsWith(pathPrefix, StringComparison.Ordinal), "under " + pathPrefix);

    /// <summary>
    /// Waits until the page's URL matches (the redirect after a form post), polling <see cref="IPage.Url"/>. Not
    /// <see cref="IPage.WaitForURLAsync(Func{string, bool}, PageWaitForURLOptions?)"/>: when the URL already matches, it
    /// looks at the frame's load states and only then subscribes to their event, so a "load" delivered in between is lost
    /// and it times out after the page has loaded (microsoft/playwright-dotnet#3364; it failed a CI run with only
    /// "NetworkIdle event fired" in its log); when the URL does not match yet, it subscribes to navigations after the
    /// check, with the same gap. What follows a sign-in or sign-out navigates or waits for a selector itself.
    /// </summary>
    public static async Task WaitForUrlAsync(IPage page, Func<Uri, bool> matches, string description)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!matches(new Uri(page.Url)))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The page stayed at {page.Url}, not {description}.");
            }

            await Task.Delay(50);
        }
    }
}
