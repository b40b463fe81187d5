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
        await page.WaitForURLAsync("**/numo/**");
    }
}
