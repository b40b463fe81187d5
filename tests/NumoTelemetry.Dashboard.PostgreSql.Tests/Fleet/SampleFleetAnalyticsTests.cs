using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Redis.Tests;

namespace NumoTelemetry.Dashboard.PostgreSql.Tests.Fleet;

/// <summary>
/// The fleet test: two hosts of the sample app (separate processes, real Kestrel) sharing Redis (fraud state) and
/// PostgreSQL (dashboard), traffic to both, some visitors on both: the dashboard API of either node shows exactly the sum of
/// page views, and the distinct visitors of the fleet (a visitor seen by both nodes once) within the sketch's error.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class SampleFleetAnalyticsTests(PostgreSqlServer postgres) : IDisposable
{
    private const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
    private const string Firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0";
    private readonly RedisServer _redis = new();

    public void Dispose() => _redis.Dispose();

    [SkippableFact]
    public async Task SampleApp_TwoNodesSharingRedisAndPostgreSql_EitherDashboardShowsTheFleetSum()
    {
        Skip.IfNot(postgres.Available, PostgreSqlServer.MissingMessage);
        Skip.IfNot(_redis.Available, RedisServer.MissingMessage);
        Skip.If(SampleNode.SampleDll is null, "the sample app was not built next to this test project");
        var database = await postgres.CreateDatabaseAsync("fleet");
        var password = "analyst-" + Guid.NewGuid().ToString("N");
        var settings = new Dictionary<string, string>
        {
            ["NumoTelemetry:Pseudonymization:Keys:1"] = KeyRing.GenerateKey(), // one key for the fleet: the same pseudonyms
            ["NumoTelemetry:Redis:Configuration"] = _redis.Configuration,
            ["NumoTelemetry:Redis:KeyPrefix"] = "fleet-analytics",
            ["NumoTelemetry:Dashboard:PostgreSql:ConnectionString"] = database,
            ["NumoTelemetry:Dashboard:WriteInterval"] = "00:00:00.500",
            ["NumoTelemetry:Pipeline:PollInterval"] = "00:00:00.010",
            ["NumoTelemetry:Pipeline:FlushInterval"] = "00:00:00.100",
            ["NumoTelemetry:RequestLog:FileEnabled"] = "false",
            ["NumoTelemetry:RequestLog:LoggerEnabled"] = "false",
            ["Sample:AnalystPassword"] = password,
        };

        var startA = SampleNode.StartAsync(settings);
        var startB = SampleNode.StartAsync(settings);
        await using var a = await startA;
        await using var b = await startB;
        try
        {
            // 30 visitors only on A (2 views each), 20 only on B (3 each), 10 on both (1 view on each).
            long views = 0;
            for (var i = 0; i < 30; i++)
            {
                views += await ViewsAsync(a, "203.0.113." + (i + 1).ToString(CultureInfo.InvariantCulture), Chrome, 2);
            }

            for (var i = 0; i < 20; i++)
            {
                views += await ViewsAsync(b, "198.51.100." + (i + 1).ToString(CultureInfo.InvariantCulture), Firefox, 3);
            }

            for (var i = 0; i < 10; i++)
            {
                var ip = "192.0.2." + (i + 1).ToString(CultureInfo.InvariantCulture);
                views += await ViewsAsync(a, ip, Chrome, 1);
                views += await ViewsAsync(b, ip, Chrome, 1);
            }

            Assert.Equal(140, views);
            views += 2; // SampleNode.StartAsync's GET /about on each node (host 127.0.0.1:port: one more visitor per node)
            using var analystA = await SignInAsync(a, password);
            using var analystB = await SignInAsync(b, password);

            var fromA = await WaitForPageViewsAsync(analystA, views);
            var fromB = await WaitForPageViewsAsync(analystB, views);

            Assert.Equal(views, fromA.PageViews);
            Assert.Equal(views, fromB.PageViews);
            Assert.Equal(fromA.Visitors, fromB.Visitors);
            Assert.InRange(fromA.Visitors, 62 - 3, 62 + 3); // 62 distinct: a sketch of 4,096 registers counts them within a few
        }
        catch (Exception ex) when (ex is not SkipException)
        {
            throw new InvalidOperationException("Fleet run failed; node outputs:" + Environment.NewLine + a.Output + Environment.NewLine + "----" + Environment.NewLine + b.Output, ex);
        }
    }

    private static async Task<long> ViewsAsync(SampleNode node, string ip, string agent, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, i % 2 == 0 ? "/" : "/products/" + (i + 1).ToString(CultureInfo.InvariantCulture));
            request.Headers.Host = "shop.example"; // behind a load balancer every node sees the site's host (cookieless visitors are per site)
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", ip);
            request.Headers.TryAddWithoutValidation("User-Agent", agent);
            request.Headers.TryAddWithoutValidation("Accept-Language", "en-GB,en;q=0.9");
            using var response = await node.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        return count;
    }

    private static async Task<HttpClient> SignInAsync(SampleNode node, string password)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseProxy = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = node.Client.BaseAddress,
        };
        using var form = new FormUrlEncodedContent([new("password", password), new("returnUrl", "/numo/")]);
        using var response = await client.PostAsync("/analyst/login", form);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    private static async Task<(long PageViews, long Visitors)> WaitForPageViewsAsync(HttpClient client, long expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var overview = await client.GetFromJsonAsync<JsonElement>("/numo/api/overview?range=24h");
            var totals = overview.GetProperty("totals");
            var views = totals.GetProperty("pageViews") is { ValueKind: JsonValueKind.Number } v ? v.GetInt64() : 0;
            if (views >= expected || DateTime.UtcNow > deadline)
            {
                var visitors = totals.GetProperty("visitors") is { ValueKind: JsonValueKind.Number } u ? u.GetInt64() : -1;
                return (views, visitors);
            }

            await Task.Delay(250);
        }
    }
}
