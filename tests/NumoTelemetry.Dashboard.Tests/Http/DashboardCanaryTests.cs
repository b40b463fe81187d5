using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Dashboard.Tests.Http;

/// <summary>
/// Issue 12, end to end: an e-mail address and a phone number visitors put in campaign values, the method, the referrer host,
/// the language and a signal name (from two visitors, so that k-anonymity shows the cells) reach neither the dashboard store (day rows
/// are kept 400 days) nor its API, CSV export or page.
/// </summary>
public sealed class DashboardCanaryTests
{
    private static readonly string[] Canaries = ["jane.doe", "jane-doe", "janedoe", "447700900123", "7700900123", "CANARYVERB"];

    [Fact]
    public async Task ClientFreeText_ReachesNoDashboardOutput()
    {
        var root = Path.Combine(Path.GetTempPath(), "numo-dash-canary-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(root);
        try
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = root });
            builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Services.AddRouting();
            builder.Services.AddNumoTelemetry(o =>
            {
                o.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
                o.Pipeline.PollInterval = TimeSpan.FromMilliseconds(10);
            }).AddDashboard(o =>
            {
                o.AllowAnonymousInDevelopment = true;
                o.MinimumCellSize = 2; // two visitors (two User-Agents) make the cells visible
            });
            await using var app = builder.Build();
            app.UseNumoTelemetry();
            app.MapGet("/", (HttpContext context) =>
            {
                context.NumoSignals().Custom("newsletter jane.doe@example.com");
                return "hello";
            });
            app.MapNumoTelemetryDashboard("/numo");
            await app.StartAsync();

            using var client = new HttpClient(new HttpClientHandler { UseProxy = false }) { BaseAddress = new Uri(app.Urls.First()) };
            foreach (var (method, browser) in new[] { (HttpMethod.Get, "Chrome/131.0"), (HttpMethod.Get, "Chrome/130.0"), (new HttpMethod("CANARYVERB"), "Chrome/131.0") })
            {
                using var request = new HttpRequestMessage(method, "/?utm_campaign=jane.doe%40example.com&utm_medium=%2B447700900123&utm_source=jane-doe-447700900123");
                request.Headers.TryAddWithoutValidation("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) " + browser + " Safari/537.36");
                request.Headers.TryAddWithoutValidation("Referer", "https://jane-doe-447700900123.example.net/landing");
                request.Headers.TryAddWithoutValidation("Accept-Language", "janedoe-x-447700900123, en;q=0.5");
                using var response = await client.SendAsync(request);
            }

            var pipeline = app.Services.GetRequiredService<PipelineService>();
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (pipeline.Processed < 3 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.Equal(3, pipeline.Processed);
            await pipeline.FlushAsync(CancellationToken.None);
            await app.Services.GetServices<IRequestRecordProcessor>().OfType<DashboardProcessor>().Single().WritePendingAsync(CancellationToken.None);

            var outputs = new List<(string Where, string Text)>();
            foreach (var dimension in new[] { "utm_campaign", "utm_medium", "utm_source", "referrer", "language", "route", "page", "entry_page", "exit_page", "event", "goal", "os", "country", "browser", "device" })
            {
                outputs.Add(($"top {dimension}", await client.GetStringAsync($"/numo/api/top?range=24h&dim={dimension}")));
                outputs.Add(($"csv {dimension}", await client.GetStringAsync($"/numo/api/export.csv?view=top&dim={dimension}&range=24h")));

                // Filtered by the values the client sent (as counted), and by two at once.
                outputs.Add(($"top {dimension} filtered", await client.GetStringAsync($"/numo/api/top?range=24h&dim={dimension}&utm_campaign=(redacted)&language=(redacted)")));
                if (dimension is not ("goal" or "exit_page"))
                {
                    outputs.Add(($"top {dimension} by event", await client.GetStringAsync($"/numo/api/top?range=24h&dim={dimension}&event=(redacted)")));
                }
            }

            outputs.Add(("overview filtered", await client.GetStringAsync("/numo/api/overview?range=24h&utm_source=(redacted)&referrer=(redacted)")));
            outputs.Add(("funnel", await client.GetStringAsync("/numo/api/funnel?range=24h&steps=" + Uri.EscapeDataString("[\"page:/\",\"event:(redacted)\"]"))));
            outputs.Add(("funnel day", await client.GetStringAsync("/numo/api/funnel?range=24h&within=day&steps=" + Uri.EscapeDataString("[\"page:/\"]"))));

            outputs.Add(("overview", await client.GetStringAsync("/numo/api/overview?range=24h")));
            outputs.Add(("live", await client.GetStringAsync("/numo/api/live")));
            outputs.Add(("page", await client.GetStringAsync("/numo/")));
            var store = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DashboardOptions>>().Value.DatabasePath;
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(Path.Combine(root, store))!))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy);
                outputs.Add(($"store file {Path.GetFileName(file)}", Encoding.UTF8.GetString(copy.ToArray())));
            }

            foreach (var (where, text) in outputs)
            {
                foreach (var canary in Canaries)
                {
                    Assert.False(text.Contains(canary, StringComparison.OrdinalIgnoreCase), $"'{canary}' reached {where}");
                }
            }

            // Positive control: the campaign was counted, under the redacted value.
            Assert.Contains("(redacted)", outputs.Single(o => o.Where == "top utm_campaign").Text, StringComparison.Ordinal);
            await app.StopAsync();
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
