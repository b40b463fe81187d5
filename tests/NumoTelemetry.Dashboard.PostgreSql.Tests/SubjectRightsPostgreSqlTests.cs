using System.Text;
using System.Text.Json;
using Npgsql;
using NumoTelemetry.Dashboard.PostgreSql.Internal;
using NumoTelemetry.Redis.Tests;

namespace NumoTelemetry.Dashboard.PostgreSql.Tests;

/// <summary>
/// Subject rights on the fleet's PostgreSQL dashboard (issue 19 with issue 18): the built <c>numo subject export</c> finds a
/// person's dashboard alerts and workspace triage (alerts with their review history, list entries, audit entries) under the
/// pseudonyms of two key generations, <c>--dry-run</c> changes nothing, <c>numo subject erase</c> removes exactly them and leaves
/// another person's, and the raw values given on the command line appear in no output, no file and no row of the schema.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class SubjectRightsPostgreSqlTests(PostgreSqlServer server) : IDisposable
{
    private const string Email = SubjectRightsTestData.Email;
    private const string Ip = SubjectRightsTestData.Ip;
    private const string OtherIp = SubjectRightsTestData.OtherIp;
    private const string Schema = "numo_fleet";
    private readonly string _root = Directory.CreateTempSubdirectory("numo-subject-pg-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [SkippableFact]
    public async Task SubjectExportAndErase_PostgreSqlDashboard_ExportsTriageThenErasesOnlyTheirs()
    {
        Skip.IfNot(server.Available, PostgreSqlServer.MissingMessage);
        Skip.If(NumoTool.Dll is null, NumoTool.MissingMessage);
        var connection = await server.CreateDatabaseAsync("subject");
        var settings = WriteSettings(connection);
        string[] person = ["--config", settings, "--kind", "email", "--value", Email, "--kind", "ip", "--value", Ip];
        string[] other = ["--config", settings, "--kind", "ip", "--value", OtherIp];

        // The pseudonyms the person and the other could have had (from the tool itself, on the still empty schema).
        var outFile = Path.Combine(_root, "export.json");
        var first = await NumoTool.RunAsync(["subject", "export", .. person, "--dashboard-postgres", "--output", outFile]);
        Assert.True(first.Exit == 0, first.Output);
        var (theirIp, theirIpBefore, theirEmail) = Pseudonyms(outFile);
        Assert.Empty(Triage(outFile));
        var otherFile = Path.Combine(_root, "other.json");
        Assert.Equal(0, (await NumoTool.RunAsync(["subject", "export", .. other, "--dashboard-postgres", "--output", otherFile])).Exit);
        var (otherIp, _, _) = Pseudonyms(otherFile);

        // Two nodes' worth of records: alerts on the dashboard, workspace alerts triaged, list entries, audit entries.
        var now = DateTimeOffset.UtcNow;
        await using (var database = TestStores.Open(connection, Schema))
        {
            var workspace = new PostgreSqlFraudWorkspaceStore(database);
            await database.AppendAlertsAsync([Alert(now.AddDays(-30), theirIpBefore), Alert(now.AddHours(-1), theirIp), Alert(now.AddHours(-2), otherIp)], default);
            await TestStores.SettleAsync(database);
            await workspace.UpsertAlertsAsync(
                [WorkspaceAlert("al_theirs_old", now.AddDays(-30), "ip", theirIpBefore), WorkspaceAlert("al_theirs", now.AddHours(-1), "ip", theirIp), WorkspaceAlert("al_user", now.AddHours(-1), "user", theirEmail), WorkspaceAlert("al_other", now.AddHours(-2), "ip", otherIp)],
                default);
            foreach (var id in new[] { "al_theirs", "al_other" })
            {
                Assert.Equal(WorkspaceReviewOutcome.Updated, (await workspace.ReviewAlertAsync(id, new WorkspaceAlertReview(WorkspaceAlertStates.FalsePositive, "ines", now, "office NAT, known"), default)).Outcome);
                await workspace.AddListEntryAsync(new WorkspaceListEntry { Id = "fl_" + id, List = WorkspaceListKind.Allow, SubjectKind = "ip", Subject = id == "al_other" ? otherIp : theirIp, Rule = "credential_stuffing", Created = now, CreatedBy = "ines", Note = "false positive " + id }, default);
                await workspace.AppendAuditAsync(new WorkspaceAuditEntry { Id = "au_review_" + id, At = now, Who = "ines", Action = "review", Kind = "false-positive", Target = id }, default);
                await workspace.AppendAuditAsync(new WorkspaceAuditEntry { Id = "au_allow_" + id, At = now.AddSeconds(1), Who = "ines", Action = "allow-add", Kind = "ip", Target = "fl_" + id }, default);
            }

            await workspace.AppendAuditAsync(new WorkspaceAuditEntry { Id = "au_lookup", At = now, Who = "ines", Action = "lookup", Kind = "ip" }, default);
        }

        // Export (the connection string given on the command line this time): their 2 alerts, 3 workspace alerts, 1 entry, 2 audit entries.
        var export = await NumoTool.RunAsync(["subject", "export", .. person, "--dashboard-postgres", connection, "--output", outFile]);
        Assert.True(export.Exit == 0, export.Output);
        Assert.Contains("dashboard on PostgreSQL: 2 alerts, 6 triage entries (3 workspace alerts, 1 list entries, 2 audit entries)", export.Output, StringComparison.Ordinal);
        using (var document = JsonDocument.Parse(File.ReadAllBytes(outFile)))
        {
            var alerts = document.RootElement.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("subject").GetString()).ToList();
            Assert.Equal([theirIpBefore, theirIp], alerts);
        }

        var triage = Triage(outFile);
        Assert.Equal(["alert:al_theirs_old", "alert:al_theirs", "alert:al_user", "list-entry:fl_al_theirs", "audit:au_review_al_theirs", "audit:au_allow_al_theirs"], triage.Select(t => t.GetProperty("record").GetString() + ":" + t.GetProperty("id").GetString()).ToList());
        var reviewed = triage[1];
        Assert.Equal("false-positive", reviewed.GetProperty("state").GetString());
        Assert.Equal("office NAT, known", Assert.Single(reviewed.GetProperty("history").EnumerateArray()).GetProperty("note").GetString());
        Assert.Equal(theirEmail, triage[2].GetProperty("subject").GetString());
        var otherBefore = await OtherAsync(other, otherFile);
        Assert.Equal(5, otherBefore.Count); // their alert, its workspace alert, entry and 2 audit entries

        // Dry run: counts, changes nothing.
        var rowsBefore = await RowsAsync(connection);
        var dry = await NumoTool.RunAsync(["subject", "erase", .. person, "--dashboard-postgres", "--dry-run"]);
        Assert.True(dry.Exit == 0, dry.Output);
        Assert.Contains("dashboard on PostgreSQL: would erase 2 alerts and 6 triage entries", dry.Output, StringComparison.Ordinal);
        Assert.Equal(rowsBefore, await RowsAsync(connection));

        // Erase: theirs go, the other's and the lookup's audit entry stay.
        var erase = await NumoTool.RunAsync(["subject", "erase", .. person, "--dashboard-postgres"]);
        Assert.True(erase.Exit == 0, erase.Output);
        Assert.Contains("dashboard on PostgreSQL: erased 2 alerts and 6 triage entries", erase.Output, StringComparison.Ordinal);
        var empty = await NumoTool.RunAsync(["subject", "export", .. person, "--dashboard-postgres", "--output", outFile]);
        Assert.True(empty.Exit == 0, empty.Output);
        Assert.Empty(Triage(outFile));
        using (var document = JsonDocument.Parse(File.ReadAllBytes(outFile)))
        {
            Assert.Equal(0, document.RootElement.GetProperty("alerts").GetArrayLength());
        }

        Assert.Equal(otherBefore, await OtherAsync(other, otherFile));
        var rowsAfter = await RowsAsync(connection);
        Assert.Contains(rowsAfter, r => r.Contains("au_lookup", StringComparison.Ordinal));
        Assert.DoesNotContain(rowsAfter, r => r.Contains(theirIp, StringComparison.Ordinal) || r.Contains(theirIpBefore, StringComparison.Ordinal) || r.Contains(theirEmail, StringComparison.Ordinal) || r.Contains("al_theirs", StringComparison.Ordinal));

        // Canaries: the person's raw values are in no output, no file and no row.
        var outputs = string.Join(Environment.NewLine, first.Output, export.Output, dry.Output, erase.Output, empty.Output);
        var dump = string.Join(Environment.NewLine, rowsBefore);
        foreach (var raw in new[] { Email, Ip, "jane.canary" })
        {
            Assert.DoesNotContain(raw, outputs, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(raw, dump, StringComparison.OrdinalIgnoreCase);
            foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
            {
                Assert.DoesNotContain(raw, File.ReadAllText(file), StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    /// <summary>The person's fraud pseudonyms of kind ip (the newest epoch and another one) and email, from an export.</summary>
    private static (string Ip, string IpBefore, string Email) Pseudonyms(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
        var fraud = document.RootElement.GetProperty("pseudonyms").EnumerateArray()
            .Where(p => p.GetProperty("scope").GetString() == "fraud" && !p.TryGetProperty("context", out _))
            .OrderByDescending(p => p.GetProperty("from").GetDateTimeOffset())
            .ToList();
        var ips = fraud.Where(p => p.GetProperty("kind").GetString() == "ip").Select(p => p.GetProperty("pseudonym").GetString()!).ToList();
        var emails = fraud.Where(p => p.GetProperty("kind").GetString() is "email" or "user").Select(p => p.GetProperty("pseudonym").GetString()!).ToList();
        Assert.True(ips.Count >= 2, "two or more fraud windows");
        return (ips[0], ips[^1], emails.Count > 0 ? emails[0] : ips[0]);
    }

    private static List<JsonElement> Triage(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
        return document.RootElement.GetProperty("triage").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private async Task<List<string>> OtherAsync(string[] other, string file)
    {
        var run = await NumoTool.RunAsync(["subject", "export", .. other, "--dashboard-postgres", "--output", file]);
        Assert.True(run.Exit == 0, run.Output);
        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = document.RootElement;
        return [.. root.GetProperty("alerts").EnumerateArray().Concat(root.GetProperty("triage").EnumerateArray()).Select(e => e.GetRawText())];
    }

    /// <summary>Every row of every table of the schema, as text.</summary>
    private static async Task<List<string>> RowsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var command = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", connection))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Schema });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains("fraud_audit", tables);
        var rows = new List<string>();
        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand($"SELECT numo_row::text FROM \"{Schema}\".\"{table}\" numo_row ORDER BY 1", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(table + ": " + reader.GetString(0));
            }
        }

        return rows;
    }

    private string WriteSettings(string connection)
    {
        var path = Path.Combine(_root, "site.json");
        var json = new
        {
            NumoTelemetry = new
            {
                Pseudonymization = SubjectRightsTestData.Pseudonymization(),
                RequestLog = new { RetentionDays = 60 },
                Dashboard = new { PostgreSql = new { ConnectionString = connection, Schema } },
            },
        };
        File.WriteAllText(path, JsonSerializer.Serialize(json));
        return path;
    }

    private static DashboardAlert Alert(DateTimeOffset t, string subject) => new()
    {
        Timestamp = t,
        Rule = "credential_stuffing",
        Severity = "page",
        Score = 91,
        SubjectKind = "ip",
        Subject = subject,
    };

    private static WorkspaceAlert WorkspaceAlert(string id, DateTimeOffset seen, string kind, string subject) => new()
    {
        Id = id,
        Rule = "credential_stuffing",
        Severity = "page",
        Score = 91,
        SubjectKind = kind,
        Subject = subject,
        FirstSeen = seen,
        LastSeen = seen,
        Count = 25,
        ReasonsJson = """[{"code":"credential_stuffing","points":91}]""",
        EvidenceJson = """{"failedLogins":25}""",
    };
}
