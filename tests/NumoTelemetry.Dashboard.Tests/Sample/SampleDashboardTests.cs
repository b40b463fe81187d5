using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NumoTelemetry.Dashboard.Tests.Infrastructure;

namespace NumoTelemetry.Dashboard.Tests.Sample;

/// <summary>The sample's dashboard over HTTP on a real Kestrel: access control, demo traffic and the numbers it yields.</summary>
[Collection(SampleCollection.Name)]
public sealed class SampleDashboardTests(SampleServer server)
{
    [Fact]
    public async Task Dashboard_Anonymous_IsRefused()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseProxy = false }) { BaseAddress = server.BaseAddress };

        using var page = await client.GetAsync("/numo/");
        using var api = await client.GetAsync("/numo/api/overview");
        using var csv = await client.GetAsync("/numo/api/export.csv");
        using var demo = await client.PostAsync("/analyst/demo-traffic", null);

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/analyst/login", page.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, csv.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, demo.StatusCode);
    }

    [Fact]
    public async Task Login_WrongPassword_IsRefused()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseProxy = false }) { BaseAddress = server.BaseAddress };
        using var form = new FormUrlEncodedContent([new("password", "nope")]);

        using var response = await client.PostAsync("/analyst/login", form);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task DemoTraffic_SignedIn_ShowsUpInTheDashboardApi()
    {
        using var client = await server.SignedInClientAsync();
        var before = await PageViewsAsync(client);

        using var response = await client.PostAsync("/analyst/demo-traffic?visitors=40&seed=3", null);
        response.EnsureSuccessStatusCode();
        var demo = (await response.Content.ReadFromJsonAsync<DemoTrafficResult>())!;

        Assert.True(demo.PageViews > 40);
        var after = await WaitForPageViewsAsync(client, before + demo.PageViews);
        Assert.Equal(before + demo.PageViews, after);

        var referrers = await client.GetFromJsonAsync<JsonElement>("/numo/api/top?range=24h&dim=referrer");
        // The two forum visitors are fewer than k: their referrer is folded into Other, its label not released.
        Assert.DoesNotContain("forum.example.net", referrers.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Number, referrers.GetProperty("other").GetProperty("value").ValueKind);

        var csv = await client.GetStringAsync("/numo/api/export.csv?view=top&dim=referrer&range=24h");
        Assert.DoesNotContain("forum.example.net", csv, StringComparison.Ordinal);
        Assert.Contains("(other),", csv, StringComparison.Ordinal);
    }

    internal static async Task<long> PageViewsAsync(HttpClient client)
    {
        var overview = await client.GetFromJsonAsync<JsonElement>("/numo/api/overview?range=24h");
        var views = overview.GetProperty("totals").GetProperty("pageViews");
        return views.ValueKind == JsonValueKind.Number ? views.GetInt64() : 0;
    }

    internal static async Task<long> WaitForPageViewsAsync(HttpClient client, long expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long views;
        do
        {
            views = await PageViewsAsync(client);
            if (views >= expected)
            {
                return views;
            }

            await Task.Delay(500);
        }
        while (DateTime.UtcNow < deadline);
        return views;
    }
}
