using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Redis.Tests;

namespace NumoTelemetry.Dashboard.PostgreSql.Tests.Fleet;

/// <summary>
/// The fraud workspace in a fleet: two hosts of the sample app (separate processes, real Kestrel) sharing Redis and PostgreSQL.
/// An attack on node A raises an alert that node B's investigator sees; a triage on node A is what node B shows, with its
/// history and audit entry; and when both nodes confirm the alert at once, one wins and the other gets the conflict.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class SampleFleetWorkspaceTests(PostgreSqlServer postgres) : IDisposable
{
    private const string Attacker = "203.0.113.66";
    private readonly RedisServer _redis = new();

    public void Dispose() => _redis.Dispose();

    [SkippableFact]
    public async Task SampleApp_TwoNodes_TriageOnNodeAIsSeenOnNodeBAndConcurrentVerdictsConflict()
    {
        Skip.IfNot(postgres.Available, PostgreSqlServer.MissingMessage);
        Skip.IfNot(_redis.Available, RedisServer.MissingMessage);
        Skip.If(SampleNode.SampleDll is null, "the sample app was not built next to this test project");
        var database = await postgres.CreateDatabaseAsync("workspace");
        var investigatorPassword = "investigator-" + Guid.NewGuid().ToString("N");
        var settings = new Dictionary<string, string>
        {
            ["NumoTelemetry:Pseudonymization:Keys:1"] = KeyRing.GenerateKey(),
            ["NumoTelemetry:Redis:Configuration"] = _redis.Configuration,
            ["NumoTelemetry:Redis:KeyPrefix"] = "fleet-workspace",
            ["NumoTelemetry:Dashboard:PostgreSql:ConnectionString"] = database,
            ["NumoTelemetry:Dashboard:WriteInterval"] = "00:00:00.500",
            ["NumoTelemetry:Alerts:GroupWait"] = "00:00:00",
            ["NumoTelemetry:Pipeline:PollInterval"] = "00:00:00.010",
            ["NumoTelemetry:Pipeline:FlushInterval"] = "00:00:00.100",
            ["NumoTelemetry:RequestLog:FileEnabled"] = "false",
            ["NumoTelemetry:RequestLog:LoggerEnabled"] = "false",
            ["Sample:InvestigatorPassword"] = investigatorPassword,
        };

        var startA = SampleNode.StartAsync(settings);
        var startB = SampleNode.StartAsync(settings);
        await using var a = await startA;
        await using var b = await startB;
        try
        {
            // Credential stuffing against node A's sign-in, from one address.
            for (var i = 0; i < 25; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/login")
                {
                    Content = new FormUrlEncodedContent([new("username", "customer" + i.ToString(CultureInfo.InvariantCulture)), new("password", "Winter2024!")]),
                };
                request.Headers.TryAddWithoutValidation("X-Forwarded-For", Attacker);
                request.Headers.TryAddWithoutValidation("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36");
                using var response = await a.Client.SendAsync(request);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }

            using var investigatorA = await SignInAsync(a, investigatorPassword);
            using var investigatorB = await SignInAsync(b, investigatorPassword);

            // Node B's inbox lists the alert node A raised (node A wrote it into the shared workspace).
            var id = await WaitForAlertAsync(investigatorB, "credential-stuffing");

            // A triage on node A is node B's too: state, history and audit trail.
            using (var review = await ReviewAsync(investigatorA, id, "acknowledged", "looking into it"))
            {
                Assert.Equal(HttpStatusCode.OK, review.StatusCode);
            }

            var seen = await investigatorB.GetFromJsonAsync<JsonElement>("/numo/api/alerts/" + id);
            Assert.Equal("acknowledged", seen.GetProperty("state").GetString());
            var history = Assert.Single(seen.GetProperty("history").EnumerateArray());
            Assert.Equal("new", history.GetProperty("from").GetString());
            Assert.Equal("looking into it", history.GetProperty("note").GetString());
            var acknowledged = await investigatorB.GetFromJsonAsync<JsonElement>("/numo/api/alerts?state=acknowledged");
            Assert.Contains(acknowledged.GetProperty("alerts").EnumerateArray(), x => x.GetProperty("id").GetString() == id);

            // Both nodes confirm at once: one moves the alert, the other is told it already moved.
            var fromA = ReviewAsync(investigatorA, id, "confirmed", "node A's verdict");
            var fromB = ReviewAsync(investigatorB, id, "confirmed", "node B's verdict");
            using var resultA = await fromA;
            using var resultB = await fromB;
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], new[] { resultA.StatusCode, resultB.StatusCode }.Order());

            var final = await investigatorA.GetFromJsonAsync<JsonElement>("/numo/api/alerts/" + id);
            Assert.Equal("confirmed", final.GetProperty("state").GetString());
            Assert.Equal(2, final.GetProperty("history").GetArrayLength());
            var audit = await investigatorB.GetFromJsonAsync<JsonElement>("/numo/api/audit");
            Assert.Equal(2, audit.GetProperty("entries").EnumerateArray().Count(e => e.GetProperty("action").GetString() == "review" && e.GetProperty("target").GetString() == id));
        }
        catch (Exception ex) when (ex is not SkipException)
        {
            throw new InvalidOperationException("Fleet run failed; node outputs:" + Environment.NewLine + a.Output + Environment.NewLine + "----" + Environment.NewLine + b.Output, ex);
        }
    }

    private static async Task<HttpClient> SignInAsync(SampleNode node, string password)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseProxy = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = node.Client.BaseAddress,
        };
        using var form = new FormUrlEncodedContent([new("password", password), new("returnUrl", "/numo/fraud/")]);
        using var response = await client.PostAsync("/analyst/login", form);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    private static async Task<string> WaitForAlertAsync(HttpClient client, string rule)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var inbox = await client.GetFromJsonAsync<JsonElement>("/numo/api/alerts?rule=" + rule);
            var alerts = inbox.GetProperty("alerts");
            if (alerts.GetArrayLength() > 0)
            {
                return alerts[0].GetProperty("id").GetString()!;
            }

            Assert.True(DateTime.UtcNow < deadline, "no " + rule + " alert reached the shared workspace");
            await Task.Delay(250);
        }
    }

    private static Task<HttpResponseMessage> ReviewAsync(HttpClient client, string id, string state, string note) =>
        client.PostAsync(
            "/numo/api/alerts/" + id + "/review",
            new StringContent(JsonSerializer.Serialize(new { state, note }), Encoding.UTF8, "application/json"));
}
