using System.Globalization;
using System.Net;
using System.Text.Json;
using static NumoTelemetry.Dashboard.Tests.Analytics.ApiJson;

namespace NumoTelemetry.Dashboard.Tests.Analytics;

/// <summary>Goals, events, pages, entry pages, funnels, custom ranges and comparisons from a seeded day of traffic through a real host.</summary>
/// <remarks>
/// Counts of events, page views and visits are exact. Unique visitors are HyperLogLog estimates of pseudonyms hashed under a
/// random day secret: below 64 they never over-count, but two of 20 people share a register in about 5 % of runs, so
/// visitor figures (and rates built on them) are checked to be the expected number or one fewer.
/// </remarks>
public sealed class AnalyticsApiTests
{
    [Fact]
    public async Task Goals_SeededDay_CountEventsVisitorsAndConversion()
    {
        await using var host = await AnalyticsHost.StartAsync();
        await host.SeedAsync();

        using var goals = await ApiJson.GetAsync(host.Client, "/numo/api/top?range=24h&dim=goal");
        var rows = Rows(goals);

        Assert.Equal("events", goals.RootElement.GetProperty("metric").GetString());
        Expect(rows["Signup"], 12, 12, 20);
        Expect(rows["Products"], 13, 13, 20);
        Expect(rows["Checkout"], 6, 6, 20);
        var csv = await host.Client.GetStringAsync(new Uri("/numo/api/export.csv?view=top&range=24h&dim=goal", UriKind.Relative));
        Assert.StartsWith("goal,events,visitors\n", csv, StringComparison.Ordinal);
        Assert.Contains("\nSignup,12,", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_SeededDay_CountSignupsAndCustomEventsButNoFreeText()
    {
        await using var host = await AnalyticsHost.StartAsync();
        await host.SeedAsync();

        var text = await host.Client.GetStringAsync(new Uri("/numo/api/top?range=24h&dim=event", UriKind.Relative));
        using var events = JsonDocument.Parse(text);
        var rows = Rows(events);

        Expect(rows["signup"], 12, 12, 20);
        Expect(rows["download"], 7, 7, 20);
        Assert.DoesNotContain("jane", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("jane", await host.StoreFilesAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Funnel_SeededDay_GivesVisitorsConversionAndDropOffPerStep()
    {
        await using var host = await AnalyticsHost.StartAsync();
        await host.SeedAsync();
        var steps = Uri.EscapeDataString("[\"page:/pricing\",\"event:signup\",\"goal:Checkout\"]");

        using var funnel = await ApiJson.GetAsync(host.Client, "/numo/api/funnel?range=24h&steps=" + steps);
        var result = funnel.RootElement.GetProperty("steps").EnumerateArray().ToList();

        Assert.Equal(3, result.Count);
        Assert.Equal(["page:/pricing", "event:signup", "goal:Checkout"], result.Select(s => s.GetProperty("step").GetString()));
        var visitors = result.Select(s => s.GetProperty("visitors").GetInt64()).ToArray();
        Visitors(20, visitors[0]);
        Visitors(12, visitors[1]);
        Visitors(6, visitors[2]);
        Assert.Equal(1.0, result[0].GetProperty("conversion").GetDouble());
        Assert.Equal(Math.Round((double)visitors[1] / visitors[0], 4), result[1].GetProperty("conversion").GetDouble());
        Assert.Equal(Math.Round((double)visitors[2] / visitors[0], 4), result[2].GetProperty("conversion").GetDouble());
        Assert.Equal(visitors[0] - visitors[1], result[1].GetProperty("dropOff").GetInt64());
        Assert.Equal(visitors[1] - visitors[2], result[2].GetProperty("dropOff").GetInt64());
    }

    [Fact]
    public async Task Funnel_FirstStepsOfAConfiguredFunnel_AndStepsInAnotherOrder_AreAnswered()
    {
        await using var host = await AnalyticsHost.StartAsync();
        await host.SeedAsync();

        using var prefix = await ApiJson.GetAsync(host.Client, "/numo/api/funnel?range=24h&steps=" + Uri.EscapeDataString("[\"page:/pricing\",\"event:signup\"]"));
        using var unknown = await host.Client.GetAsync(new Uri("/numo/api/funnel?range=24h&steps=" + Uri.EscapeDataString("[\"event:signup\",\"page:/pricing\"]"), UriKind.Relative));
        using var malformed = await host.Client.GetAsync(new Uri("/numo/api/funnel?range=24h&steps=nope", UriKind.Relative));

        var steps = prefix.RootElement.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("visitors").GetInt64()).ToArray();
        Assert.Equal(2, steps.Length);
        Visitors(20, steps[0]);
        Visitors(12, steps[1]);
        // Not configured: read from the visits' paths. Everyone signed up after /pricing, nobody came back to it.
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        using var adHoc = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync());
        var adHocSteps = adHoc.RootElement.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("visitors").GetInt64()).ToArray();
        Visitors(12, adHocSteps[0]);
        Assert.Equal(0, adHocSteps[1]);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task Pages_RealPathOfKPeople_IsShown_PathOfFewerPeople_AppearsNowhere()
    {
        await using var host = await AnalyticsHost.StartAsync();
        await host.SeedAsync();

        using var pages = await ApiJson.GetAsync(host.Client, "/numo/api/top?range=24h&dim=page&limit=100");
        var rows = Rows(pages);

        // /products/4711: admitted when its fifth visitor came; counted under its own name from then on (6 people).
        Assert.Equal(20, rows["/pricing"].Value);
        Assert.Equal(6, rows["/products/4711"].Value);
        Assert.Equal(7, rows["/products/{id:int}"].Value); // 4711's first four visitors and 999's three
        Assert.Equal(6, rows["/checkout/done"].Value);

        // /products/999 had three visitors (k = 5): not in any list, export, page or store file.
        var outputs = new List<string>();
        foreach (var dim in new[] { "page", "entry_page", "exit_page", "route", "goal", "event" })
        {
            outputs.Add(await host.Client.GetStringAsync(new Uri($"/numo/api/top?range=24h&dim={dim}&limit=100", UriKind.Relative)));
            outputs.Add(await host.Client.GetStringAsync(new Uri($"/numo/api/export.csv?view=top&range=24h&dim={dim}&limit=100", UriKind.Relative)));
        }

        outputs.Add(await host.Client.GetStringAsync(new Uri("/numo/", UriKind.Relative)));
        outputs.Add(await host.StoreFilesAsync());
        Assert.All(outputs, text => Assert.DoesNotContain("/products/999", text, StringComparison.Ordinal));
        Assert.Contains("/products/4711", outputs[^1], StringComparison.Ordinal); // positive control: the store is readable as text
    }

    [Fact]
    public async Task Pages_PathWithAnEmailAddress_SeenByManyPeople_IsCountedUnderItsTemplateOnly()
    {
        await using var host = await AnalyticsHost.StartAsync();
        await host.SendFromAsync("/u/jane.doe%40example.com", 8);

        var pages = await host.Client.GetStringAsync(new Uri("/numo/api/top?range=24h&dim=page&limit=100", UriKind.Relative));
        using var json = JsonDocument.Parse(pages);

        Assert.Equal(8, Rows(json)["/u/{name}"].Value);
        Assert.DoesNotContain("jane", pages, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("jane", await host.StoreFilesAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task EntryPages_SeededDay_OneEntryPerVisit()
    {
        await using var host = await AnalyticsHost.StartAsync();
        await host.SeedAsync();

        using var entries = await ApiJson.GetAsync(host.Client, "/numo/api/top?range=24h&dim=entry_page");

        Assert.Equal("visits", entries.RootElement.GetProperty("metric").GetString());
        var pricing = Rows(entries)["/pricing"];
        Assert.Equal(20, pricing.Value);
        Visitors(20, pricing.Visitors);
        Assert.Null(pricing.Conversion);
    }

    [Fact]
    public async Task CustomRange_Today_AddsUpWithTheHourBucketsAndComparesWithYesterday()
    {
        await using var host = await AnalyticsHost.StartAsync();
        await host.SeedAsync();
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        using var day = await ApiJson.GetAsync(host.Client, $"/numo/api/overview?from={today}&to={today}&compare=previous");
        using var hours = await ApiJson.GetAsync(host.Client, "/numo/api/overview?range=24h");
        using var top = await ApiJson.GetAsync(host.Client, $"/numo/api/top?dim=page&from={today}&to={today}&compare=previous");

        var total = day.RootElement.GetProperty("totals").GetProperty("pageViews").GetInt64();
        var hourSum = hours.RootElement.GetProperty("series").EnumerateArray().Sum(p => p.GetProperty("pageViews").GetInt64());
        Assert.Equal(hourSum, total);
        Assert.Equal(39, total); // 20 + 10 + 3 + 6 page views
        Assert.Equal("day", day.RootElement.GetProperty("granularity").GetString());
        var previous = day.RootElement.GetProperty("previous");
        Assert.Equal("previous", previous.GetProperty("compare").GetString());
        Assert.Equal(0, previous.GetProperty("pageViews").GetInt64());
        Assert.Equal(
            DateTimeOffset.Parse(today, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).AddDays(-1),
            previous.GetProperty("from").GetDateTimeOffset());
        Assert.All(top.RootElement.GetProperty("rows").EnumerateArray(), r => Assert.Equal(JsonValueKind.Null, r.GetProperty("previousValue").ValueKind));
    }

    [Theory]
    [InlineData("/numo/api/overview?from=2026-13-01&to=2026-13-02")]
    [InlineData("/numo/api/overview?from=2026-03-02&to=2026-03-01")]
    [InlineData("/numo/api/overview?from=2026-03-02")]
    [InlineData("/numo/api/overview?range=24h&compare=year")]
    [InlineData("/numo/api/top?dim=page&range=24h&compare=tomorrow")]
    public async Task Ranges_Invalid_AreRefused(string url)
    {
        await using var host = await AnalyticsHost.StartAsync();

        using var response = await host.Client.GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Favicon_IsServedEmbedded()
    {
        await using var host = await AnalyticsHost.StartAsync();

        using var response = await host.Client.GetAsync(new Uri("/numo/favicon.ico", UriKind.Relative));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/x-icon", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal([0, 0, 1, 0], bytes[..4]);
    }

    /// <summary>A goal or event row: exact events, visitors as estimated, conversion as visitors over the range's visitors.</summary>
    private static void Expect((long Value, long Visitors, double? Conversion) row, long events, long visitors, long total)
    {
        Assert.Equal(events, row.Value);
        Visitors(visitors, row.Visitors);
        Assert.NotNull(row.Conversion);
        Assert.InRange(row.Conversion.Value, (double)(visitors - 1) / total - 0.0001, (double)visitors / (total - 1) + 0.0001);
    }
}
