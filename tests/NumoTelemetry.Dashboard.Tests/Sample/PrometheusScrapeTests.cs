using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using NumoTelemetry.Dashboard.Tests.Infrastructure;

namespace NumoTelemetry.Dashboard.Tests.Sample;

/// <summary>
/// Debian's prometheus scraping the sample's /metrics on 127.0.0.1 with samples/grafana/prometheus.yml: the series
/// exist, the Grafana dashboard's queries name only real series, cardinality stays bounded and no label carries an
/// address.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed partial class PrometheusScrapeTests(SampleServer server)
{
    private const string Prometheus = "/usr/bin/prometheus";

    /// <summary>
    /// Series that exist only after something went wrong (a drop, an error, a skipped value) or after a fraud detection or alert,
    /// which the sample's benign traffic need not raise within the test.
    /// </summary>
    private static readonly string[] s_onlyOnTrouble =
    [
        "numo_pipeline_records_dropped_total", "numo_errors_total", "numo_capture_skipped_total",
        "numo_fraud_detections_total", "numo_alerts_notifications_total", "numo_alerts_delivery_total", "numo_alerts_dropped_total",
    ];

    [SkippableFact]
    public async Task Prometheus_ScrapingTheSample_FindsBoundedSeriesForEveryDashboardQuery()
    {
        Skip.IfNot(File.Exists(Prometheus), $"prometheus is not installed at {Prometheus} (Debian: apt-get install -y prometheus); the scrape test needs it.");
        var grafana = FindGrafanaDirectory();
        Skip.If(grafana is null, "samples/grafana was not found above the test's directory.");

        // Traffic with signals, opted-out visitors, crawlers and 404s.
        using (var analyst = await server.SignedInClientAsync())
        {
            using var demo = await analyst.PostAsync("/analyst/demo-traffic?visitors=60&seed=5", null);
            demo.EnsureSuccessStatusCode();
        }

        using var dir = new TempDirectory();
        var config = (await File.ReadAllTextAsync(Path.Combine(grafana!, "prometheus.yml")))
            .Replace("127.0.0.1:5080", $"{server.BaseAddress.Host}:{server.BaseAddress.Port}", StringComparison.Ordinal)
            .Replace("scrape_interval: 15s", "scrape_interval: 1s", StringComparison.Ordinal);
        await File.WriteAllTextAsync(dir.File("prometheus.yml"), config);
        var port = SampleServer.FreePort();
        var start = new ProcessStartInfo(Prometheus) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--config.file=" + dir.File("prometheus.yml"), "--storage.tsdb.path=" + dir.File("data"), $"--web.listen-address=127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(arg);
        }

        using var prometheus = Process.Start(start)!;
        prometheus.OutputDataReceived += static (_, _) => { };
        prometheus.ErrorDataReceived += static (_, _) => { };
        prometheus.BeginOutputReadLine();
        prometheus.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };

            // Wait (bounded) until a scrape has landed.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await CountAsync(client, "numo_request_duration_seconds_count") == 0)
            {
                Assert.False(prometheus.HasExited, "prometheus exited");
                Assert.True(DateTime.UtcNow < deadline, "prometheus scraped no NumoTelemetry series within 60 seconds");
                await Task.Delay(500);
            }

            // Every series the Grafana dashboard queries exists (except those that appear only on trouble).
            var dashboard = await File.ReadAllTextAsync(Path.Combine(grafana!, "numo-telemetry-dashboard.json"));
            using var json = JsonDocument.Parse(dashboard);
            var names = MetricName().Matches(dashboard).Select(m => m.Value).Distinct().ToList();
            Assert.Contains("numo_request_duration_seconds_bucket", names);
            foreach (var name in names.Except(s_onlyOnTrouble))
            {
                Assert.True(await CountAsync(client, name) > 0, $"the Grafana dashboard queries {name}, which prometheus does not have");
            }

            Assert.True(await CountAsync(client, "numo_signals_total{numo_signal=\"login_failed\"}") > 0);

            // Bounded cardinality: labels are templates, families and classes.
            Assert.InRange(await ScalarAsync(client, "count(count by (http_route) (numo_request_duration_seconds_count))"), 3, 45); // the site's, the dashboard's and the workspace's templates
            Assert.InRange(await ScalarAsync(client, "count(count by (numo_http_status_class) (numo_request_duration_seconds_count))"), 1, 6);
            Assert.InRange(await ScalarAsync(client, "count({__name__=~\"numo_.*\"})"), 10, 2_000);

            // No label value is an address or a pseudonym.
            var series = await client.GetFromJsonAsync<JsonElement>("/api/v1/series?match[]=" + Uri.EscapeDataString("{__name__=~\"numo_.*\"}"));
            var text = series.GetRawText();
            Assert.DoesNotContain("203.0.113.", text, StringComparison.Ordinal);
            Assert.DoesNotContain("198.51.100.", text, StringComparison.Ordinal);
            Assert.DoesNotContain("\"k1.", text, StringComparison.Ordinal);
            Assert.DoesNotContain("/products/1\"", text, StringComparison.Ordinal); // raw paths never, only templates
        }
        finally
        {
            if (!prometheus.HasExited)
            {
                prometheus.Kill(entireProcessTree: true);
                await prometheus.WaitForExitAsync();
            }
        }
    }

    private static async Task<int> CountAsync(HttpClient client, string selector) =>
        (int)await ScalarAsync(client, $"count({selector})");

    private static async Task<double> ScalarAsync(HttpClient client, string query)
    {
        try
        {
            var response = await client.GetFromJsonAsync<JsonElement>("/api/v1/query?query=" + Uri.EscapeDataString(query));
            var result = response.GetProperty("data").GetProperty("result");
            return result.GetArrayLength() == 0 ? 0 : double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException)
        {
            return 0; // not up yet
        }
    }

    private static string? FindGrafanaDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "grafana");
            if (File.Exists(Path.Combine(candidate, "prometheus.yml")))
            {
                return candidate;
            }
        }

        return null;
    }

    [GeneratedRegex(@"numo_[a-z_]+?(?:_total|_bucket|_count|_sum|_depth)\b")]
    private static partial Regex MetricName();
}
