using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace NumoTelemetry.Tests.Hosting;

/// <summary>
/// One-time-code numbers through a real Kestrel host (<c>NumoSignals().OtpRequested</c>): the prefix may appear in an alert (the issue
/// allows it: a calling code and a few digits identify no one); the rest of a number never appears in any output — logs and their
/// structured state (alerts included), request-log files, metric tags — nor in the site's HTTP response.
/// </summary>
public sealed class OtpCanaryTests
{
    [Fact]
    public async Task OtpNumbers_NeverAppearInAnyOutput_OnlyThePrefixInTheAlert()
    {
        await using var site = await TestSite.StartAsync(
            static o =>
            {
                o.Capture.DefaultCountryCallingCode = "44";
                o.Alerts.GroupWait = TimeSpan.Zero;
            },
            static app => app.MapPost("/otp", async (HttpContext context) =>
            {
                var phone = (await context.Request.ReadFormAsync())["phone"].ToString();
                context.NumoSignals().OtpRequested(phone);
                var risk = context.GetNumoRisk();
                return $"sent {risk.Band}";
            }));

        var numbers = Enumerable.Range(0, 15).Select(static i => "07911 2" + (40_000 + (i * 397)).ToString("D5", CultureInfo.InvariantCulture)).ToList();
        var responses = new List<string>();
        foreach (var number in numbers)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/otp") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["phone"] = number }) };
            using var response = await site.Client.SendAsync(request);
            responses.Add(await response.Content.ReadAsStringAsync());
        }

        await site.WaitForRecordsAsync(numbers.Count);

        var outputs = new List<(string Where, string Text)>();
        foreach (var record in site.Logs.GetSnapshot())
        {
            outputs.Add(($"log {record.Category}", record.Message));
            outputs.Add(($"log exception {record.Category}", record.Exception?.ToString() ?? string.Empty));
            foreach (var pair in record.StructuredState ?? [])
            {
                outputs.Add(($"log state {record.Category}", pair.Key + "=" + pair.Value));
            }
        }

        outputs.Add(("request log files", site.ReadRequestLog()));
        outputs.AddRange(site.MetricTagValues.Select(static t => ("metric tag", t)));
        outputs.AddRange(responses.Select(static r => ("response", r)));
        foreach (var number in numbers)
        {
            var national = number.Replace(" ", string.Empty, StringComparison.Ordinal)[1..]; // 7911240000
            string[] canaries = [national, "44" + national, number];
            foreach (var (where, text) in outputs)
            {
                foreach (var canary in canaries)
                {
                    Assert.False(text.Contains(canary, StringComparison.Ordinal), $"Number '{canary}' leaked into {where}: {text}");
                }
            }
        }

        // Positive control: the pumping alert names the prefix in clear.
        Assert.Contains(outputs, static o => o.Where.StartsWith("log state NumoTelemetry.Alerts", StringComparison.Ordinal) && o.Text == "numo.alert.subject=+4479112");
    }
}
