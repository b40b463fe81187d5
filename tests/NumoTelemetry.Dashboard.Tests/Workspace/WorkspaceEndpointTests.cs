using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using NumoTelemetry.Dashboard.Tests.Infrastructure;
using NumoTelemetry.Fraud.Feedback;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Dashboard.Tests.Workspace;

/// <summary>The fraud investigators' workspace API on a real Kestrel with the real pipeline, fraud engine and SQLite store.</summary>
public sealed class WorkspaceEndpointTests
{
    private const string Pseudonym = "k1.AAAAAAAAAAAAAAAAAAAAAA";

    private static readonly (string Method, string Path, string? Body)[] s_endpoints =
    [
        ("GET", "/numo/fraud/", null),
        ("GET", "/numo/fraud/fraud.js", null),
        ("GET", "/numo/api/alerts", null),
        ("GET", "/numo/api/alerts/al_x", null),
        ("POST", "/numo/api/alerts/al_x/review", """{"state":"acknowledged"}"""),
        ("GET", "/numo/api/subjects/ip/" + Pseudonym, null),
        ("GET", "/numo/api/allowlist", null),
        ("POST", "/numo/api/allowlist", """{"subjectKind":"ip","subject":"k1.AAAAAAAAAAAAAAAAAAAAAA"}"""),
        ("DELETE", "/numo/api/allowlist/fl_x", null),
        ("GET", "/numo/api/denylist", null),
        ("POST", "/numo/api/denylist", """{"subjectKind":"ip","subject":"k1.AAAAAAAAAAAAAAAAAAAAAA"}"""),
        ("DELETE", "/numo/api/denylist/fl_x", null),
        ("GET", "/numo/api/audit", null),
        ("GET", "/numo/api/workspace", null),
        ("POST", "/numo/api/lookup", """{"kind":"ip","value":"192.0.2.1"}"""),
    ];

    [Fact]
    public async Task Endpoints_AnonymousOrAnalystOnly_401Or403Everywhere()
    {
        await using var host = await WorkspaceHost.StartAsync();
        using var anonymous = host.Client();
        using var analyst = host.Client("ana", "analyst");
        using var investigator = host.Client("ines", "investigator");

        foreach (var (method, path, body) in s_endpoints)
        {
            using var a = await SendAsync(anonymous, method, path, body);
            using var b = await SendAsync(analyst, method, path, body);
            Assert.True(a.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} anonymous: {(int)a.StatusCode}");
            Assert.True(b.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} analyst: {(int)b.StatusCode}");
        }

        // The lookup needs the stronger policy: an investigator without it is refused too, and nothing is audited.
        using var lookup = await SendAsync(investigator, "POST", "/numo/api/lookup", """{"kind":"ip","value":"192.0.2.1"}""");
        Assert.Equal(HttpStatusCode.Forbidden, lookup.StatusCode);
        var audit = await investigator.GetFromJsonAsync<JsonElement>("/numo/api/audit");
        Assert.Equal(0, audit.GetProperty("entries").GetArrayLength());

        // The analysts' dashboard stays theirs: an investigator alone is refused there.
        using var overview = await investigator.GetAsync("/numo/api/overview");
        Assert.Equal(HttpStatusCode.Forbidden, overview.StatusCode);
    }

    [Fact]
    public async Task MapNumoDashboard_UnknownFraudPolicy_FailsAtStartUpNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => WorkspaceHost.StartAsync(o => o.FraudPolicy = "NoSuchPolicy"));

        Assert.Contains("NumoTelemetry:Dashboard:FraudPolicy", error.Message, StringComparison.Ordinal);
        Assert.Contains("NoSuchPolicy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_FraudPolicyIsTheAnalysts_FailsValidation()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => WorkspaceHost.StartAsync(o => o.FraudPolicy = WorkspaceHost.AnalystPolicy));

        Assert.Contains("NumoTelemetry:Dashboard:FraudPolicy", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Attack_InvestigatorMarksFalsePositive_EnforcementLiftsAtOnceAndCounterMoves()
    {
        await using var host = await WorkspaceHost.StartAsync();
        Skip.If(host.App.Services.GetService<IFraudFeedback>() is null, "The fraud engine's feedback (IFraudFeedback implementation) is not registered in this build.");
        using var metrics = new MetricCollector<long>(host.App.Services.GetRequiredService<IMeterFactory>(), "NumoTelemetry", "numo.fraud.false_positives");
        using var investigator = host.Client("ines", "investigator");
        using var attacker = host.Visitor("198.51.100.23");

        await host.StuffAsync("198.51.100.23");
        var row = await host.WaitForAlertAsync(investigator, "credential-stuffing");
        var id = row.GetProperty("id").GetString()!;
        using (var blocked = await attacker.GetAsync("/products/1"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        }

        var detail = await investigator.GetFromJsonAsync<JsonElement>("/numo/api/alerts/" + id);
        Assert.Equal("new", detail.GetProperty("state").GetString());
        Assert.Contains(detail.GetProperty("reasons").EnumerateArray(), r => r.GetProperty("code").GetString() == "credential-stuffing" && r.GetProperty("points").GetDouble() > 0);
        Assert.True(detail.GetProperty("evidence").GetProperty("failedLogins").GetInt32() >= 10);
        Assert.Contains(detail.GetProperty("evidenceText").EnumerateArray(), t => t.GetString()!.EndsWith("failed logins", StringComparison.Ordinal));

        using var acknowledged = await investigator.PostAsJsonAsync($"/numo/api/alerts/{id}/review", new { state = "acknowledged" });
        Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        using var marked = await investigator.PostAsJsonAsync($"/numo/api/alerts/{id}/review", new { state = "false-positive", note = "our QA load test" });
        Assert.Equal(HttpStatusCode.OK, marked.StatusCode);
        var updated = await marked.Content.ReadFromJsonAsync<JsonElement>();

        // At once: the very next request of the subject is served.
        using (var served = await attacker.GetAsync("/products/1"))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        Assert.Equal("false-positive", updated.GetProperty("state").GetString());
        var history = updated.GetProperty("history");
        Assert.Equal(2, history.GetArrayLength());
        Assert.Equal("ines", history[1].GetProperty("who").GetString());
        Assert.Equal("acknowledged", history[1].GetProperty("from").GetString());
        Assert.Equal("our QA load test", history[1].GetProperty("note").GetString());
        Assert.Contains(updated.GetProperty("lists").EnumerateArray(), e => e.GetProperty("list").GetString() == "allow" && e.GetProperty("rule").GetString() == "credential-stuffing");
        metrics.RecordObservableInstruments();
        Assert.Contains(metrics.GetMeasurementSnapshot(), m => m.Value >= 1 && Equals(m.Tags["numo.rule"], "credential-stuffing"));
        var allow = await investigator.GetFromJsonAsync<JsonElement>("/numo/api/allowlist");
        Assert.Contains(allow.GetProperty("entries").EnumerateArray(), e => e.GetProperty("subject").GetString() == row.GetProperty("subject").GetString());
        var audit = await investigator.GetFromJsonAsync<JsonElement>("/numo/api/audit");
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e => e.GetProperty("action").GetString() == "review" && e.GetProperty("kind").GetString() == "false-positive" && e.GetProperty("target").GetString() == id);
    }

    [SkippableFact]
    public async Task Restart_StoredListsGoBackToTheEngine()
    {
        using var root = new TempDirectory();
        string id;
        await using (var first = await WorkspaceHost.StartAsync(root: root))
        {
            Skip.If(first.App.Services.GetService<IFraudFeedback>() is null, "The fraud engine's feedback (IFraudFeedback implementation) is not registered in this build.");
            using var investigator = first.Client("ines", "investigator");
            using var added = await investigator.PostAsJsonAsync("/numo/api/denylist", new { subjectKind = "ip", subject = Pseudonym, rule = "burst" });
            id = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            Assert.Contains(first.App.Services.GetRequiredService<IFraudFeedback>().GetEntries(FraudListKind.Deny), e => e.Id == id);
        }

        await using var second = await WorkspaceHost.StartAsync(root: root);
        var engine = second.App.Services.GetRequiredService<IFraudFeedback>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (engine.GetEntries(FraudListKind.Deny).Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var entry = Assert.Single(engine.GetEntries(FraudListKind.Deny));
        Assert.Equal(id, entry.Id);
        Assert.Equal(Pseudonym, entry.Subject);
        Assert.Equal("ines", entry.CreatedBy);
    }

    [Fact]
    public async Task Review_Workflow_RecordsWhoAndRefusesBadMoves()
    {
        await using var host = await WorkspaceHost.StartAsync();
        using var investigator = host.Client("ines", "investigator");
        using var other = host.Client("marc", "investigator");
        await host.StuffAsync("198.51.100.40");
        var id = (await host.WaitForAlertAsync(investigator, "credential-stuffing")).GetProperty("id").GetString()!;

        using var acknowledged = await investigator.PostAsJsonAsync($"/numo/api/alerts/{id}/review", new { state = "acknowledged", note = "looking" });
        using var confirmed = await other.PostAsJsonAsync($"/numo/api/alerts/{id}/review", new { state = "confirmed" });
        using var back = await investigator.PostAsJsonAsync($"/numo/api/alerts/{id}/review", new { state = "acknowledged" });
        using var unknownState = await investigator.PostAsJsonAsync($"/numo/api/alerts/{id}/review", new { state = "closed" });
        using var missing = await investigator.PostAsJsonAsync("/numo/api/alerts/al_missing/review", new { state = "acknowledged" });
        using var notJson = await investigator.PostAsync($"/numo/api/alerts/{id}/review", new StringContent("state=confirmed", Encoding.UTF8, "application/x-www-form-urlencoded"));
        var confirmedBody = await confirmed.Content.ReadFromJsonAsync<JsonElement>();
        var confirmedList = await investigator.GetFromJsonAsync<JsonElement>("/numo/api/alerts?state=confirmed");
        var newList = await investigator.GetFromJsonAsync<JsonElement>("/numo/api/alerts?state=new");

        Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, back.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknownState.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        Assert.Equal("confirmed", confirmedBody.GetProperty("state").GetString());
        Assert.Equal(["ines", "marc"], confirmedBody.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("who").GetString()!));
        Assert.Contains(confirmedList.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("id").GetString() == id);
        Assert.DoesNotContain(newList.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("id").GetString() == id);
        var row = confirmedList.GetProperty("alerts")[0];
        foreach (var field in new[] { "id", "rule", "severity", "score", "subjectKind", "subject", "firstSeen", "lastSeen", "state" })
        {
            Assert.True(row.TryGetProperty(field, out _), field);
        }
    }

    [Fact]
    public async Task Lists_AddListDelete_AuditedAndRawValuesRefusedWithoutEcho()
    {
        await using var host = await WorkspaceHost.StartAsync();
        using var investigator = host.Client("ines", "investigator");
        var subject = host.App.Services.GetRequiredService<Pseudonymizer>().Pseudonymize(PseudonymKind.Ip, "192.0.2.77", DateTimeOffset.UtcNow).ToString();
        var expires = DateTimeOffset.UtcNow.AddDays(1);

        using var added = await investigator.PostAsJsonAsync("/numo/api/allowlist", new { subjectKind = "ip", subject, rule = "burst", expires });
        using var denied = await investigator.PostAsJsonAsync("/numo/api/denylist", new { subjectKind = "ip", subject });
        using var raw = await investigator.PostAsJsonAsync("/numo/api/allowlist", new { subjectKind = "ip", subject = "192.0.2.77" });
        using var rawUrl = await investigator.GetAsync("/numo/api/subjects/user/alice%40example.org");
        using var past = await investigator.PostAsJsonAsync("/numo/api/allowlist", new { subjectKind = "ip", subject, expires = DateTimeOffset.UtcNow.AddDays(-1) });
        var entry = await added.Content.ReadFromJsonAsync<JsonElement>();
        var allow = await investigator.GetFromJsonAsync<JsonElement>("/numo/api/allowlist");
        var deny = await investigator.GetFromJsonAsync<JsonElement>("/numo/api/denylist");

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(HttpStatusCode.Created, denied.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, raw.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, rawUrl.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, past.StatusCode);
        Assert.DoesNotContain("192.0.2.77", await raw.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("alice", await rawUrl.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(subject, entry.GetProperty("subject").GetString());
        Assert.Equal("burst", entry.GetProperty("rule").GetString());
        Assert.Equal("ines", entry.GetProperty("createdBy").GetString());
        Assert.Equal(entry.GetProperty("id").GetString(), allow.GetProperty("entries")[0].GetProperty("id").GetString());
        Assert.Equal(1, deny.GetProperty("entries").GetArrayLength());

        var id = entry.GetProperty("id").GetString();
        using var removed = await investigator.DeleteAsync("/numo/api/allowlist/" + id);
        using var again = await investigator.DeleteAsync("/numo/api/allowlist/" + id);
        using var wrongList = await investigator.DeleteAsync("/numo/api/denylist/" + id);
        var after = await investigator.GetFromJsonAsync<JsonElement>("/numo/api/allowlist");
        var audit = await investigator.GetFromJsonAsync<JsonElement>("/numo/api/audit");

        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, wrongList.StatusCode);
        Assert.Equal(0, after.GetProperty("entries").GetArrayLength());
        Assert.Equal(["allow-remove", "deny-add", "allow-add"], audit.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("action").GetString()!));
        Assert.All(audit.GetProperty("entries").EnumerateArray(), e => Assert.Equal("ines", e.GetProperty("who").GetString()));
    }

    [Fact]
    public async Task Subject_AfterAttack_ShowsTimelineLinkedSubjectsRiskAndAlerts()
    {
        await using var host = await WorkspaceHost.StartAsync();
        using var investigator = host.Client("ines", "investigator");
        await host.StuffAsync("198.51.100.50");
        var alert = await host.WaitForAlertAsync(investigator, "credential-stuffing");
        var kind = alert.GetProperty("subjectKind").GetString();
        var subject = alert.GetProperty("subject").GetString();

        // The timeline is fed by its own processor of the same batches: read until the attack's 30 requests are in.
        JsonElement view;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            view = await investigator.GetFromJsonAsync<JsonElement>($"/numo/api/subjects/{kind}/{subject}");
        }
        while (view.GetProperty("timeline").GetArrayLength() < 30 && DateTime.UtcNow < deadline);

        Assert.Equal(subject, view.GetProperty("subject").GetString());
        Assert.Equal(kind, view.GetProperty("kind").GetString());
        Assert.True(view.GetProperty("risk").GetDouble() > 0);
        Assert.Contains(view.GetProperty("reasons").EnumerateArray(), r => r.GetProperty("code").GetString() == "credential-stuffing");
        Assert.Contains(view.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("id").GetString() == alert.GetProperty("id").GetString());
        var timeline = view.GetProperty("timeline");
        Assert.Equal(30, timeline.GetArrayLength());
        // Once its risk was known, the attacker's later attempts were refused in the request: they show as enforced.
        Assert.All(timeline.EnumerateArray().Where(e => e.GetProperty("status").GetInt32() == 429), e => Assert.True(e.GetProperty("enforced").GetBoolean()));
        var first = timeline.EnumerateArray().First(e => e.GetProperty("status").GetInt32() == 401);
        Assert.Equal("/login", first.GetProperty("route").GetString());
        Assert.Equal("POST", first.GetProperty("method").GetString());
        Assert.Equal(401, first.GetProperty("status").GetInt32());
        Assert.Equal("Chrome", first.GetProperty("browser").GetString());
        Assert.Contains(first.GetProperty("signals").EnumerateArray(), s => s.GetString() == "login_failed");
        Assert.Equal(subject, first.GetProperty("subjects").GetProperty(kind!).GetString());
        Assert.Contains(view.GetProperty("linked").EnumerateArray(), l => l.GetProperty("kind").GetString() == "ip-prefix");
        Assert.Contains(view.GetProperty("linked").EnumerateArray(), l => l.GetProperty("kind").GetString() == "user");
    }

    [Fact]
    public async Task Lookup_RawIp_OpensTheSubjectAuditsAndLeavesNoRawValueAnywhere()
    {
        const string Canary = "198.51.100.231";
        await using var host = await WorkspaceHost.StartAsync();
        using var keyHolder = host.Client("ines", "investigator", "key-holder");
        var responses = new StringBuilder();
        await host.StuffAsync(Canary);
        var alert = await host.WaitForAlertAsync(keyHolder, "credential-stuffing");

        using var lookup = await keyHolder.PostAsJsonAsync("/numo/api/lookup", new { kind = "ip", value = Canary });
        using var invalid = await keyHolder.PostAsJsonAsync("/numo/api/lookup", new { kind = "ip", value = "not-an-ip " + Canary });
        using var badJson = await keyHolder.PostAsync("/numo/api/lookup", new StringContent("{\"kind\":\"ip\",\"value\":\"" + Canary + "\"", Encoding.UTF8, "application/json"));
        var result = await lookup.Content.ReadFromJsonAsync<JsonElement>();
        var subjects = result.GetProperty("subjects").EnumerateArray().ToList();
        var view = await keyHolder.GetStringAsync($"/numo/api/subjects/ip/{subjects.First(s => s.GetProperty("kind").GetString() == "ip").GetProperty("subject").GetString()}");
        var auditText = await keyHolder.GetStringAsync("/numo/api/audit");
        var audit = JsonDocument.Parse(auditText).RootElement.GetProperty("entries");
        responses.Append(JsonSerializer.Serialize(result)).Append(await invalid.Content.ReadAsStringAsync()).Append(await badJson.Content.ReadAsStringAsync())
            .Append(view).Append(auditText).Append(await keyHolder.GetStringAsync("/numo/api/alerts"))
            .Append(await keyHolder.GetStringAsync("/numo/api/alerts/" + alert.GetProperty("id").GetString()))
            .Append(await keyHolder.GetStringAsync("/numo/fraud/")).Append(await keyHolder.GetStringAsync("/numo/fraud/fraud.js"));
        await Task.Delay(500); // the store's next write interval: whatever would be written is
        var files = host.FilesAsText();

        Assert.Equal(HttpStatusCode.OK, lookup.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        Assert.Contains(subjects, s => s.GetProperty("kind").GetString() == "ip" && s.GetProperty("subject").GetString() == alert.GetProperty("subject").GetString());
        Assert.Contains(subjects, s => s.GetProperty("kind").GetString() == "ip-prefix");
        Assert.Equal(0, JsonDocument.Parse(await invalid.Content.ReadAsStringAsync()).RootElement.GetProperty("subjects").GetArrayLength());
        var lookups = audit.EnumerateArray().Where(e => e.GetProperty("action").GetString() == "lookup").ToList();
        Assert.Equal(2, lookups.Count); // the invalid one was a lookup too
        Assert.All(lookups, e =>
        {
            Assert.Equal("ines", e.GetProperty("who").GetString());
            Assert.Equal("ip", e.GetProperty("kind").GetString());
            Assert.Equal(JsonValueKind.Null, e.GetProperty("target").ValueKind);
        });

        // The canary (the attacker's address, then the looked-up value) is in no response, log record or stored byte.
        Assert.DoesNotContain(Canary, responses.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, files, StringComparison.Ordinal);
        Assert.Contains("fraud_audit", files, StringComparison.Ordinal);
        foreach (var record in host.Logs.GetSnapshot())
        {
            Assert.DoesNotContain(Canary, record.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Canary, record.Exception?.ToString() ?? string.Empty, StringComparison.Ordinal);
            foreach (var pair in record.StructuredState ?? [])
            {
                Assert.DoesNotContain(Canary, pair.Value ?? string.Empty, StringComparison.Ordinal);
            }
        }

        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Name == "WorkspaceLookup");
    }

    [Fact]
    public async Task ClientFreeText_ReachesNoWorkspaceOutput()
    {
        string[] canaries = ["jane.doe", "janedoe", "447700900123", "192.0.2.199"];
        await using var host = await WorkspaceHost.StartAsync();
        using var investigator = host.Client("ines", "investigator");
        using (var visitor = host.Visitor("192.0.2.199"))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/newsletter?email=jane.doe%40example.com&utm_campaign=janedoe-447700900123");
            request.Headers.TryAddWithoutValidation("Referer", "https://jane-doe-447700900123.example.net/landing");
            request.Headers.TryAddWithoutValidation("Accept-Language", "janedoe-x-447700900123, en;q=0.5");
            using var response = await visitor.SendAsync(request);
        }

        var ip = host.App.Services.GetRequiredService<Pseudonymizer>().Pseudonymize(PseudonymKind.Ip, "192.0.2.199", DateTimeOffset.UtcNow).ToString();
        string view;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            view = await investigator.GetStringAsync("/numo/api/subjects/ip/" + ip);
            await Task.Delay(50);
        }
        while (!view.Contains("/newsletter", StringComparison.Ordinal) && DateTime.UtcNow < deadline);

        Assert.Contains("custom:", view, StringComparison.Ordinal); // the signal is shown, its name scrubbed
        foreach (var canary in canaries)
        {
            Assert.DoesNotContain(canary, view, StringComparison.Ordinal);
        }
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return client.SendAsync(request);
    }
}
