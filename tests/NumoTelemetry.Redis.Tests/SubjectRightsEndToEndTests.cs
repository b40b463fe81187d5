using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Fraud.Feedback;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;
using StackExchange.Redis;

namespace NumoTelemetry.Redis.Tests;

/// <summary>
/// The proof of subject rights (issue 19): a real site (Kestrel, request-log files, Redis fraud state, the SQLite dashboard store)
/// writes one person's records under two key generations and in two fraud windows, beside another person's; the built
/// <c>numo subject export</c> gives back exactly that person's records, <c>--dry-run</c> changes nothing, and <c>numo subject
/// erase</c> removes them from every store (the workspace's triage too) while the site keeps serving and writing, leaving the
/// other person's untouched. The
/// raw values given on the command line appear in no output file, store, Redis key or value, console output or log.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class SubjectRightsEndToEndTests(RedisServer server) : IDisposable
{
    private const string Email = SubjectRightsTestData.Email;
    private const string Ip = SubjectRightsTestData.Ip;
    private const string Visitor = "vCanary7f3b2c9d1e";
    private const string OtherEmail = "omar.other@example.net";
    private const string OtherIp = SubjectRightsTestData.OtherIp;
    private const string OtherVisitor = "vOther0a1b2c3d4e";

    private readonly string _root = Directory.CreateTempSubdirectory("numo-subject-").FullName;

    private string? _prefix;

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        if (_prefix is not null)
        {
            // The fleet's lists hash has no TTL by design (entries outlive restarts): the other person's entry goes with the test.
            using var connection = ConnectionMultiplexer.Connect(server.Configuration);
            connection.GetDatabase().KeyDelete(_prefix + ":lists");
        }
    }

    [SkippableFact]
    public async Task SubjectExportAndErase_TwoKeysTwoWindows_ExportsAllThenErasesAllWhileTheSiteWrites()
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        Skip.If(NumoTool.Dll is null, NumoTool.MissingMessage);
        var prefix = _prefix = TestStores.UniquePrefix("subject");
        var logDir = Path.Combine(_root, "log");
        var db = Path.Combine(_root, "dashboard.db");
        var settings = WriteSettings(prefix, logDir, db);
        var time = new SubjectRightsSite.ShiftedTime();
        await using var site = await SubjectRightsSite.StartAsync(settings, time);
        var sent = 0;

        // Window A, key 1 (40 days ago): the person stuffs 22 accounts from their address, signs in, browses; the other browses.
        time.Offset = TimeSpan.FromDays(-40);
        for (var i = 0; i < 22; i++)
        {
            Assert.Equal(200, await site.SendAsync(HttpMethod.Post, "/s/login", Ip, Visitor, $"victim{i}@example.org"));
            sent++;
        }

        sent += await SubjectVisitAsync(site);
        Assert.Equal(200, await site.SendAsync(HttpMethod.Get, "/o/page", OtherIp, OtherVisitor));
        sent++;

        // Window B, key 2 (10 days ago): the person again; the other stuffs 22 accounts. The clock moves once the pipeline has
        // judged window A's records: one it took later would be dated on the moved clock, and the fraud engine's alert timing
        // runs on the clock, so a tick days ahead sends and closes window A's stuffing group (idle for days by then) and the
        // stuffing hits still queued would open a second group: a third alert.
        await site.WaitForPipelineAsync(sent);
        time.Offset = TimeSpan.FromDays(-10);
        sent += await SubjectVisitAsync(site);
        for (var i = 0; i < 22; i++)
        {
            Assert.Equal(200, await site.SendAsync(HttpMethod.Post, "/o/login", OtherIp, OtherVisitor, $"target{i}@example.org"));
            sent++;
        }

        Assert.Equal(200, await site.SendAsync(HttpMethod.Post, "/o/login", OtherIp, OtherVisitor, OtherEmail));
        sent++;
        await site.WaitForPipelineAsync(sent); // window B's records judged on its clock, as window A's were
        time.Offset = TimeSpan.Zero; // the pipeline's flushes and the dashboard's writes run on the clock: back to now
        await WaitForLinesAsync(logDir, sent);
        await WaitForAlertsAsync(db, 2);
        await TriageEveryAlertAsync(site);

        var written = ReadLines(logDir);
        var theirs = written.Where(l => Route(l).StartsWith("/s/", StringComparison.Ordinal)).ToList();
        var others = written.Where(l => Route(l).StartsWith("/o/", StringComparison.Ordinal)).ToList();
        Assert.Equal(sent, theirs.Count + others.Count);

        // Export: exactly the person's lines, byte for byte, across both keys and both windows; their alert; their state.
        var outFile = Path.Combine(_root, "export.json");
        var export = await NumoTool.RunAsync(["subject", "export", .. Common(settings, logDir, db), "--output", outFile]);
        Assert.True(export.Exit == 0, export.Output);
        using (var document = JsonDocument.Parse(File.ReadAllBytes(outFile)))
        {
            var root = document.RootElement;
            foreach (var name in new[] { "subject", "pseudonyms", "requestLog", "fraudState", "alerts", "triage" })
            {
                Assert.True(root.TryGetProperty(name, out _), name);
            }

            var exported = root.GetProperty("requestLog").EnumerateArray().Select(e => e.GetRawText()).ToList();
            Assert.Equal(theirs.Order(StringComparer.Ordinal), exported.Order(StringComparer.Ordinal));
            var pseudonyms = root.GetProperty("pseudonyms").EnumerateArray().ToDictionary(p => p.GetProperty("pseudonym").GetString()!, p => p);
            var used = theirs.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("ip").GetString()!).Distinct().Select(t => pseudonyms[t]).ToList();
            Assert.Equal([1, 2], used.Select(p => p.GetProperty("keyId").GetInt32()).Distinct().Order());
            Assert.True(used.Select(p => p.GetProperty("epoch").GetInt64()).Distinct().Count() >= 2, "two fraud windows");
            Assert.Contains(root.GetProperty("pseudonyms").EnumerateArray(), p => p.GetProperty("kind").GetString() == "ip-prefix" && p.GetProperty("context").GetBoolean());
            var alerts = root.GetProperty("alerts").EnumerateArray().ToList();
            Assert.Single(alerts);
            Assert.Equal("ip", alerts[0].GetProperty("subjectKind").GetString());
            AssertTriageOf(alerts[0].GetProperty("subject").GetString()!, root.GetProperty("triage"));
            Assert.NotEqual(0, root.GetProperty("fraudState").GetProperty("redis").GetArrayLength());
            var allowed = Assert.Single(root.GetProperty("fraudState").GetProperty("redisLists").EnumerateArray());
            Assert.Equal(alerts[0].GetProperty("subject").GetString(), allowed.GetProperty("subject").GetString());
            Assert.Equal(JsonValueKind.Array, root.GetProperty("fraudState").GetProperty("memory").ValueKind); // the running site answered
            Assert.DoesNotContain("\"value\"", root.GetProperty("subject").GetRawText(), StringComparison.Ordinal);
        }

        Assert.Contains("request log: " + theirs.Count + " lines", export.Output, StringComparison.Ordinal);
        var otherBefore = await ExportOtherAsync(settings, logDir, db);

        // Dry run: nothing changes (files, Redis, alerts).
        var filesBefore = Snapshot(logDir);
        var redisBefore = await RedisKeysAsync(prefix);
        var alertsBefore = AlertSubjects(db);
        var workspaceBefore = WorkspaceRows(db);
        var dry = await NumoTool.RunAsync(["subject", "erase", .. Common(settings, logDir, db), "--dry-run"]);
        Assert.True(dry.Exit == 0, dry.Output);
        Assert.Contains("would erase " + theirs.Count + " lines", dry.Output, StringComparison.Ordinal);
        Assert.Equal(filesBefore, Snapshot(logDir));
        Assert.Equal(redisBefore, await RedisKeysAsync(prefix));
        Assert.Equal(alertsBefore, AlertSubjects(db));
        Assert.Equal(workspaceBefore, WorkspaceRows(db));

        // Erase while the other person keeps browsing: every line they send during the erasure is written.
        using var stop = new CancellationTokenSource();
        var during = 0;
        var traffic = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Assert.Equal(200, await site.SendAsync(HttpMethod.Get, "/o/during", OtherIp, OtherVisitor));
                Interlocked.Increment(ref during);
            }
        });
        var erase = await NumoTool.RunAsync(["subject", "erase", .. Common(settings, logDir, db)]);
        await stop.CancelAsync();
        await traffic;
        Assert.True(erase.Exit == 0, erase.Output);
        Assert.Contains("erased " + theirs.Count + " lines", erase.Output, StringComparison.Ordinal);
        Assert.Contains("the running site sealed its file", erase.Output, StringComparison.Ordinal);
        Assert.Contains("dashboard: would erase 1 alerts and 3 triage entries", dry.Output, StringComparison.Ordinal);
        Assert.Contains("dashboard: erased 1 alerts and 3 triage entries", erase.Output, StringComparison.Ordinal);
        Assert.Contains("and 1 allow/deny list entries", erase.Output, StringComparison.Ordinal);
        Assert.True(during > 0);
        await WaitForLinesAsync(logDir, others.Count + during);

        var after = ReadLines(logDir);
        Assert.DoesNotContain(after, l => Route(l).StartsWith("/s/", StringComparison.Ordinal));
        Assert.Equal(others.Order(StringComparer.Ordinal), after.Where(l => Route(l) is "/o/page" or "/o/login").Order(StringComparer.Ordinal));
        Assert.Equal(during, after.Count(l => Route(l) == "/o/during"));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(logDir, ".erasure"), "*.request"));

        // Nothing of the person is left: a second export finds nothing; the other person's alert and records are still there.
        var empty = await NumoTool.RunAsync(["subject", "export", .. Common(settings, logDir, db), "--output", outFile]);
        Assert.True(empty.Exit == 0, empty.Output);
        using (var document = JsonDocument.Parse(File.ReadAllBytes(outFile)))
        {
            var root = document.RootElement;
            Assert.Equal(0, root.GetProperty("requestLog").GetArrayLength());
            Assert.Equal(0, root.GetProperty("alerts").GetArrayLength());
            Assert.Equal(0, root.GetProperty("triage").GetArrayLength());
            Assert.Equal(0, root.GetProperty("fraudState").GetProperty("redis").GetArrayLength());
            Assert.Equal(0, root.GetProperty("fraudState").GetProperty("redisLists").GetArrayLength());
            Assert.Equal(0, root.GetProperty("fraudState").GetProperty("memory").GetArrayLength());
        }

        var otherAfter = await ExportOtherAsync(settings, logDir, db);
        Assert.Equal(otherBefore.Alerts, otherAfter.Alerts);
        Assert.Equal(otherBefore.Triage, otherAfter.Triage);
        Assert.Equal(3, otherAfter.Triage.Count);
        Assert.Subset(otherAfter.Lines.ToHashSet(), otherBefore.Lines.ToHashSet());
        Assert.Subset(otherAfter.RedisKeys.ToHashSet(), otherBefore.RedisKeys.ToHashSet());

        // Canaries: the person's raw values are nowhere.
        var outputs = new StringBuilder().Append(export.Output).Append(dry.Output).Append(erase.Output).Append(empty.Output);
        foreach (var line in site.Logs)
        {
            outputs.AppendLine(line);
        }

        foreach (var raw in new[] { Email, Ip, Visitor, "jane.canary" })
        {
            Assert.DoesNotContain(raw, outputs.ToString(), StringComparison.OrdinalIgnoreCase);
            foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
            {
                if (file != settings && !file.EndsWith(".lock", StringComparison.Ordinal)) // lock files are empty (and held)
                {
                    Assert.False(Contains(File.ReadAllBytes(file), raw), $"{raw} in {file}");
                }
            }

            Assert.DoesNotContain(raw, await RedisDumpAsync(prefix), StringComparison.OrdinalIgnoreCase);
        }
    }

    private static async Task<int> SubjectVisitAsync(SubjectRightsSite site)
    {
        Assert.Equal(200, await site.SendAsync(HttpMethod.Post, "/s/signin", Ip, Visitor, Email));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, await site.SendAsync(HttpMethod.Get, "/s/page", Ip, Visitor));
        }

        return 4;
    }

    private string[] Common(string settings, string logDir, string db) =>
    [
        "--config", settings, "--kind", "email", "--value", Email, "--kind", "ip", "--value", Ip, "--kind", "visitor", "--value", Visitor,
        "--request-log", logDir, "--redis", server.Configuration, "--dashboard-db", db, "--wait", "30",
    ];

    /// <summary>
    /// Investigators triage every alert the workspace holds (through its store, as the workspace API does): a review with a
    /// note, a deny entry for the subject, and the audit entries naming both; and an allow entry in the fraud engine (Redis).
    /// </summary>
    private static async Task TriageEveryAlertAsync(SubjectRightsSite site)
    {
        var workspace = site.Services.GetRequiredService<NumoTelemetry.Dashboard.IFraudWorkspaceStore>();
        var engine = site.Services.GetRequiredService<IFraudFeedback>();
        IReadOnlyList<NumoTelemetry.Dashboard.WorkspaceAlert> alerts = [];
        for (var i = 0; i < 600 && alerts.Count < 2; i++)
        {
            await Task.Delay(50); // the workspace writes its queued alerts every WriteInterval
            alerts = await workspace.QueryAlertsAsync(new NumoTelemetry.Dashboard.WorkspaceAlertQuery(), default);
        }

        Assert.True(alerts.Count == 2, $"{alerts.Count} workspace alerts, not 2 (one per address and window of stuffing):{Environment.NewLine}{Describe(alerts)}");
        var now = DateTimeOffset.UtcNow;
        foreach (var alert in alerts)
        {
            var review = await workspace.ReviewAlertAsync(alert.Id, new NumoTelemetry.Dashboard.WorkspaceAlertReview(NumoTelemetry.Dashboard.WorkspaceAlertStates.Confirmed, "ines", now, "stuffing confirmed"), default);
            Assert.Equal(NumoTelemetry.Dashboard.WorkspaceReviewOutcome.Updated, review.Outcome);
            var entry = "fl_" + alert.Id;
            await workspace.AddListEntryAsync(new NumoTelemetry.Dashboard.WorkspaceListEntry { Id = entry, List = NumoTelemetry.Dashboard.WorkspaceListKind.Deny, SubjectKind = alert.SubjectKind, Subject = alert.Subject, Created = now, CreatedBy = "ines" }, default);
            await workspace.AppendAuditAsync(new NumoTelemetry.Dashboard.WorkspaceAuditEntry { Id = "au_" + alert.Id, At = now, Who = "ines", Action = "deny-add", Kind = alert.SubjectKind, Target = entry }, default);

            // The fraud engine's own copy of an allow entry: the fleet's list in Redis.
            await engine.AddAsync(new FraudListEntry { Id = "fa_" + alert.Id, List = FraudListKind.Allow, SubjectKind = SubjectKind.Ip, Subject = alert.Subject, Rule = alert.Rule, Created = now, CreatedBy = "ines", Source = FraudListSource.Manual }, default);
        }
    }

    /// <summary>Workspace alerts, one a line: id, rule, subject kind and pseudonym, first and last hit (record time), hits.</summary>
    private static string Describe(IEnumerable<NumoTelemetry.Dashboard.WorkspaceAlert> alerts) =>
        string.Join(Environment.NewLine, alerts.Select(a => $"  {a.Id} {a.Rule} {a.SubjectKind} {a.Subject} first {a.FirstSeen:O} last {a.LastSeen:O} hits {a.Count}"));

    /// <summary>The export's triage: the subject's workspace alert with its review, their deny entry and its audit entry.</summary>
    private static void AssertTriageOf(string subject, JsonElement triage)
    {
        var records = triage.EnumerateArray().ToList();
        Assert.Equal(["alert", "list-entry", "audit"], records.Select(r => r.GetProperty("record").GetString()));
        var alert = records[0];
        Assert.Equal(subject, alert.GetProperty("subject").GetString());
        Assert.Equal("confirmed", alert.GetProperty("state").GetString());
        var history = Assert.Single(alert.GetProperty("history").EnumerateArray());
        Assert.Equal("stuffing confirmed", history.GetProperty("note").GetString());
        Assert.Equal(subject, records[1].GetProperty("subject").GetString());
        Assert.Equal("deny", records[1].GetProperty("list").GetString());
        Assert.Equal(records[1].GetProperty("id").GetString(), records[2].GetProperty("target").GetString());
    }

    private async Task<(List<string> Lines, List<string> Alerts, List<string> RedisKeys, List<string> Triage)> ExportOtherAsync(string settings, string logDir, string db)
    {
        var file = Path.Combine(_root, "other.json");
        var run = await NumoTool.RunAsync(["subject", "export", "--config", settings, "--kind", "email", "--value", OtherEmail, "--kind", "ip", "--value", OtherIp,
            "--kind", "visitor", "--value", OtherVisitor, "--request-log", logDir, "--redis", server.Configuration, "--dashboard-db", db, "--output", file]);
        Assert.True(run.Exit == 0, run.Output);
        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = document.RootElement;
        var lines = root.GetProperty("requestLog").EnumerateArray().Select(e => e.GetRawText()).Where(l => Route(l) != "/o/during").ToList();
        var alerts = root.GetProperty("alerts").EnumerateArray().Select(e => e.GetRawText()).ToList();
        var keys = root.GetProperty("fraudState").GetProperty("redis").EnumerateArray().Select(e => e.GetProperty("key").GetString()!).ToList();
        Assert.Single(root.GetProperty("fraudState").GetProperty("redisLists").EnumerateArray()); // their allow entry, before and after the erasure
        var triage = root.GetProperty("triage").EnumerateArray().Select(e => e.GetRawText()).ToList();
        Assert.NotEmpty(lines);
        Assert.Single(alerts);
        Assert.NotEmpty(keys);
        AssertTriageOf(JsonDocument.Parse(alerts[0]).RootElement.GetProperty("subject").GetString()!, root.GetProperty("triage"));
        File.Delete(file);
        return (lines, alerts, keys, triage);
    }

    private string WriteSettings(string prefix, string logDir, string db)
    {
        var path = Path.Combine(_root, "site.json");
        var json = new
        {
            NumoTelemetry = new
            {
                Pseudonymization = SubjectRightsTestData.Pseudonymization(),
                RequestLog = new { Directory = logDir, RetentionDays = 400, LoggerEnabled = false },
                Redis = new { Configuration = server.Configuration, KeyPrefix = prefix },
                Dashboard = new { DatabasePath = db, FraudPolicy = "investigators" }, // the workspace keeps alerts for triage
            },
        };
        File.WriteAllText(path, JsonSerializer.Serialize(json));
        return path;
    }

    private static string Route(string line) => JsonDocument.Parse(line).RootElement.GetProperty("route").GetString() ?? string.Empty;

    private static List<string> ReadLines(string logDir)
    {
        var lines = new List<string>();
        foreach (var file in Directory.EnumerateFiles(logDir, "requests-*.jsonl"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                if (line.Length > 0)
                {
                    lines.Add(line);
                }
            }
        }

        return lines;
    }

    private static async Task WaitForLinesAsync(string logDir, int count)
    {
        for (var i = 0; i < 600; i++)
        {
            if (Directory.Exists(logDir) && ReadLines(logDir).Count >= count)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"the request log holds {(Directory.Exists(logDir) ? ReadLines(logDir).Count : 0)} lines, not {count}");
    }

    private static async Task WaitForAlertsAsync(string db, int count)
    {
        for (var i = 0; i < 600; i++)
        {
            if (File.Exists(db) && AlertSubjects(db).Count >= count)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"the dashboard holds {(File.Exists(db) ? AlertSubjects(db).Count : 0)} alerts, not {count}");
    }

    private static List<string> AlertSubjects(string db)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT subject FROM alerts ORDER BY subject";
        using var reader = command.ExecuteReader();
        var subjects = new List<string>();
        while (reader.Read())
        {
            subjects.Add(reader.IsDBNull(0) ? string.Empty : reader.GetString(0));
        }

        return subjects;
    }

    /// <summary>The rows of the workspace's tables, each table's rows as text.</summary>
    private static List<string> WorkspaceRows(string db)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        var rows = new List<string>();
        foreach (var table in new[] { "fraud_alerts", "fraud_alert_history", "fraud_lists", "fraud_audit" })
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT * FROM " + table + " ORDER BY 1, 2";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var values = new object[reader.FieldCount];
                reader.GetValues(values);
                rows.Add(table + ": " + string.Join("|", values));
            }
        }

        return rows;
    }

    private static Dictionary<string, string> Snapshot(string logDir) =>
        Directory.EnumerateFiles(logDir, "requests-*.jsonl").ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    private async Task<List<string>> RedisKeysAsync(string prefix)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var keys = new List<string>();
        await foreach (var key in connection.GetServers()[0].KeysAsync(pattern: prefix + ":*"))
        {
            keys.Add(key!);
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    private async Task<string> RedisDumpAsync(string prefix)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var database = connection.GetDatabase();
        var dump = new StringBuilder();
        await foreach (var key in connection.GetServers()[0].KeysAsync(pattern: prefix + ":*"))
        {
            dump.AppendLine(key);
            if (await database.KeyTypeAsync(key) == RedisType.Hash)
            {
                foreach (var field in await database.HashGetAllAsync(key)) // the fleet's allow/deny lists
                {
                    dump.AppendLine(field.Name + "=" + field.Value);
                }

                continue;
            }

            var value = await database.StringGetAsync(key);
            if (value.HasValue)
            {
                dump.AppendLine(Encoding.Latin1.GetString((byte[])value!));
            }
        }

        return dump.ToString();
    }

    private static bool Contains(byte[] bytes, string text) =>
        bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0 || bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(text)) >= 0;
}
