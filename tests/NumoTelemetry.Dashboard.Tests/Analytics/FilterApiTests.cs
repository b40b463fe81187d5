using System.Globalization;
using System.Net;
using System.Text.Json;
using static NumoTelemetry.Dashboard.Tests.Analytics.ApiJson;

namespace NumoTelemetry.Dashboard.Tests.Analytics;

/// <summary>
/// Filters on every dimension, goal breakdowns and funnels over any steps, on the API of a real Kestrel after a seeded
/// day of traffic (k = 5, sent over HTTP):
/// <list type="bullet">
/// <item>12 visitors from <c>news.example</c> tagged <c>utm_source=newsletter&amp;utm_medium=email</c>, German; 8 sign up, 6 of those reach <c>/checkout/done</c>;</item>
/// <item>8 from <c>search.example</c>, English; 5 sign up;</item>
/// <item>6 without a referrer, English; none signs up;</item>
/// <item>2 from <c>tiny.example</c>, French; both view <c>/products/999</c> (fewer than k people).</item>
/// </list>
/// Every visit enters at <c>/pricing</c>.
/// </summary>
public sealed class FilterApiTests : IAsyncLifetime
{
    private AnalyticsHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await AnalyticsHost.StartAsync();
        var requests = new List<(HttpMethod, string, string, string?, string?)>();
        var n = 0;
        void Visitor(string? referrer, string language, string query, bool signUp, bool checkout, bool rareProduct)
        {
            var agent = $"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{100 + n++}.0.0.0 Safari/537.36";
            requests.Add((HttpMethod.Get, "/pricing" + query, agent, referrer, language));
            if (signUp)
            {
                requests.Add((HttpMethod.Post, "/signup?n=100", agent, null, language));
            }

            if (checkout)
            {
                requests.Add((HttpMethod.Get, "/checkout/done", agent, null, language));
            }

            if (rareProduct)
            {
                requests.Add((HttpMethod.Get, "/products/999", agent, null, language));
            }
        }

        for (var i = 0; i < 12; i++)
        {
            Visitor("https://news.example/today", "de", "?utm_source=newsletter&utm_medium=email", i < 8, i < 6, false);
        }

        for (var i = 0; i < 8; i++)
        {
            Visitor("https://search.example/?q=x", "en", string.Empty, i < 5, false, false);
        }

        for (var i = 0; i < 6; i++)
        {
            Visitor(null, "en", string.Empty, false, false, false);
        }

        for (var i = 0; i < 2; i++)
        {
            Visitor("https://tiny.example/", "fr", string.Empty, false, false, true);
        }

        await _host.SendAllAsync(requests);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Top_FilteredByReferrer_ListsItsCampaignsAndLanguage()
    {
        var sources = await ApiJson.GetAsync(_host.Client, "/numo/api/top?range=24h&dim=utm_source&referrer=news.example");
        var languages = await ApiJson.GetAsync(_host.Client, "/numo/api/top?range=24h&dim=language&referrer=news.example&utm_medium=email");
        var referrers = await ApiJson.GetAsync(_host.Client, "/numo/api/top?range=24h&dim=referrer");

        Assert.True(sources.RootElement.GetProperty("filtered").GetBoolean());
        var newsletter = Rows(sources)["newsletter"];
        Assert.Equal(18, newsletter.Value); // 12 entries and 6 checkouts, all in visits from the newsletter
        Visitors(12, newsletter.Visitors);
        var german = Assert.Single(Rows(languages));
        Assert.StartsWith("de", german.Key, StringComparison.Ordinal);
        Visitors(12, german.Value.Visitors);

        // Unfiltered: tiny.example (2 people) is withheld, and so is the smallest other row to protect it.
        var rows = Rows(referrers);
        Assert.Equal(18, rows["news.example"].Value);
        Assert.Equal(8, rows["search.example"].Value);
        Assert.False(rows.ContainsKey("tiny.example"));
        Assert.False(rows.ContainsKey("(direct)"));
    }

    [Fact]
    public async Task Top_FilteredByGoal_BreaksConversionsDownByReferrer()
    {
        var byReferrer = await ApiJson.GetAsync(_host.Client, "/numo/api/top?range=24h&dim=referrer&goal=Signup");
        var goals = await ApiJson.GetAsync(_host.Client, "/numo/api/top?range=24h&dim=goal&referrer=search.example");

        Assert.Equal("events", byReferrer.RootElement.GetProperty("metric").GetString());
        var rows = Rows(byReferrer);
        Assert.Equal(8, rows["news.example"].Value);
        Visitors(8, rows["news.example"].Visitors);
        Assert.InRange(rows["news.example"].Conversion!.Value, 7.0 / 12 - 0.0001, 8.0 / 11 + 0.0001);
        Assert.Equal(5, rows["search.example"].Value);
        Assert.InRange(rows["search.example"].Conversion!.Value, 4.0 / 8 - 0.0001, 5.0 / 7 + 0.0001);
        Assert.Equal(2, rows.Count);
        var signup = Rows(goals)["Signup"];
        Assert.Equal(5, signup.Value);
        Assert.InRange(signup.Conversion!.Value, 4.0 / 8 - 0.0001, 5.0 / 7 + 0.0001);
    }

    [Fact]
    public async Task Funnel_StepsNotConfigured_CountVisitorsInOrderWithinAVisitAndADay()
    {
        var steps = Uri.EscapeDataString("[\"page:/pricing\",\"event:signup\",\"page:/checkout/done\"]");
        var visit = await ApiJson.GetAsync(_host.Client, "/numo/api/funnel?range=24h&steps=" + steps);
        var day = await ApiJson.GetAsync(_host.Client, "/numo/api/funnel?range=24h&within=day&steps=" + steps);

        foreach (var funnel in new[] { visit, day })
        {
            var found = funnel.RootElement.GetProperty("steps").EnumerateArray().ToList();
            Assert.Equal(["page:/pricing", "event:signup", "page:/checkout/done"], found.Select(s => s.GetProperty("step").GetString()));
            Visitors(28, found[0].GetProperty("visitors").GetInt64());
            Visitors(13, found[1].GetProperty("visitors").GetInt64());
            Visitors(6, found[2].GetProperty("visitors").GetInt64());
            Assert.InRange(found[2].GetProperty("conversion").GetDouble(), 5.0 / 28, 6.0 / 27);
        }

        Assert.Equal("day", day.RootElement.GetProperty("within").GetString());
    }

    [Fact]
    public async Task Funnel_StepOfFewerThanKPeople_IsWithheldWithEveryLaterStep()
    {
        // Two people viewed a product (its page is the route template: the path is not admitted below k people).
        var steps = Uri.EscapeDataString("[\"page:/pricing\",\"page:/products/{id:int}\",\"goal:Signup\"]");
        var funnel = await ApiJson.GetAsync(_host.Client, "/numo/api/funnel?range=24h&steps=" + steps);
        var path = await ApiJson.GetAsync(_host.Client, "/numo/api/funnel?range=24h&steps=" + Uri.EscapeDataString("[\"page:/pricing\",\"page:/products/999\"]"));

        Assert.Equal(0, path.RootElement.GetProperty("steps")[1].GetProperty("visitors").GetInt64());
        var found = funnel.RootElement.GetProperty("steps").EnumerateArray().ToList();
        Visitors(28, found[0].GetProperty("visitors").GetInt64());
        Assert.All(found.Skip(1), s => Assert.Equal(JsonValueKind.Null, s.GetProperty("visitors").ValueKind));
        Assert.All(found.Skip(1), s => Assert.True(s.GetProperty("suppressed").GetBoolean()));
    }

    [Fact]
    public async Task EveryView_SeenByFewerThanKPeople_NeverAppears()
    {
        var everything = new List<string>();
        foreach (var dim in new[] { "route", "page", "entry_page", "exit_page", "referrer", "utm_source", "utm_medium", "utm_campaign", "os", "language", "goal", "event", "country", "browser", "device" })
        {
            foreach (var filter in new[] { string.Empty, "&referrer=tiny.example", "&language=fr", "&referrer=news.example&language=de", "&goal=Signup", "&route=%2Fproducts%2F%7Bid%3Aint%7D" })
            {
                using var response = await _host.Client.GetAsync(new Uri($"/numo/api/top?range=24h&dim={dim}{filter}", UriKind.Relative));
                everything.Add(await response.Content.ReadAsStringAsync());
            }
        }

        var text = string.Join('\n', everything);
        Assert.DoesNotContain("tiny.example", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/products/999", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"fr", text, StringComparison.Ordinal);
        Assert.Contains("news.example", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/numo/api/top?range=24h&dim=goal&event=signup")]
    [InlineData("/numo/api/top?range=24h&dim=country&goal=Signup&exit_page=%2Fpricing")]
    [InlineData("/numo/api/overview?range=24h&referrer=a&language=b&os=c&device=d")]
    public async Task Filters_FromTwoCubesOrMoreThanThree_AreRefused(string url)
    {
        using var response = await _host.Client.GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Share_FilteredView_CarriesItsFilters()
    {
        using var created = await _host.Client.PostAsync(new Uri("/numo/api/share?view=top&dim=utm_source&range=24h&referrer=news.example&language=de", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        using var link = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var url = link.RootElement.GetProperty("url").GetString()!;

        using var shared = await ApiJson.GetAsync(_host.Client, url + "/data");

        var list = shared.RootElement.GetProperty("top");
        Assert.True(list.GetProperty("filtered").GetBoolean());
        var newsletter = list.GetProperty("rows").EnumerateArray().Single();
        Assert.Equal("newsletter", newsletter.GetProperty("label").GetString());
        Assert.Equal(18, newsletter.GetProperty("value").GetInt64());
    }
}
