using NumoTelemetry.Dashboard.PostgreSql.Internal;

namespace NumoTelemetry.Dashboard.PostgreSql.Tests;

/// <summary>
/// What the workspace's PostgreSQL store adds to the conformance suite: several nodes (each its own store instance, its own
/// connections) sharing one schema see each other's triage, and of concurrent reviews from one state exactly one wins.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlFraudWorkspaceStoreTests(PostgreSqlServer server)
{
    private static readonly DateTimeOffset s_t0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [SkippableFact]
    public async Task ReviewAlert_OnNodeA_IsSeenOnNodeB()
    {
        Skip.IfNot(server.Available, PostgreSqlServer.MissingMessage);
        var schema = TestStores.UniqueSchema("triage");
        await using var databaseA = TestStores.Open(server.ConnectionString(), schema);
        await using var databaseB = TestStores.Open(server.ConnectionString(), schema);
        var a = new PostgreSqlFraudWorkspaceStore(databaseA);
        var b = new PostgreSqlFraudWorkspaceStore(databaseB);

        await a.UpsertAlertsAsync([Alert("al_one")], default);
        await b.UpsertAlertsAsync([Alert("al_one", count: 20)], default); // node B notified the same group: one alert
        var reviewed = await a.ReviewAlertAsync("al_one", new WorkspaceAlertReview(WorkspaceAlertStates.Acknowledged, "ines", s_t0.AddMinutes(1), "on it"), default);
        await b.AddListEntryAsync(new WorkspaceListEntry { Id = "fl_b", List = WorkspaceListKind.Deny, SubjectKind = "ip", Subject = "k1.SUBJECT", Created = s_t0, CreatedBy = "marc" }, default);

        Assert.Equal(WorkspaceReviewOutcome.Updated, reviewed.Outcome);
        var seen = await b.GetAlertAsync("al_one", default);
        Assert.Equal(WorkspaceAlertStates.Acknowledged, seen!.State);
        Assert.Equal(20, seen.Count);
        Assert.Equal(new WorkspaceHistoryEntry(s_t0.AddMinutes(1), "ines", WorkspaceAlertStates.New, WorkspaceAlertStates.Acknowledged, "on it"), Assert.Single(seen.History));
        Assert.Equal(["al_one"], (await b.QueryAlertsAsync(new WorkspaceAlertQuery { State = WorkspaceAlertStates.Acknowledged }, default)).Select(x => x.Id));
        Assert.Equal("fl_b", Assert.Single(await a.ReadListAsync(WorkspaceListKind.Deny, s_t0, default)).Id);
    }

    [SkippableFact]
    public async Task ReviewAlert_TwoNodesAtOnce_OneWinsTheOtherConflicts()
    {
        Skip.IfNot(server.Available, PostgreSqlServer.MissingMessage);
        var schema = TestStores.UniqueSchema("race");
        var databases = new List<PostgreSqlDashboardStore>();
        try
        {
            var nodes = new List<PostgreSqlFraudWorkspaceStore>();
            for (var i = 0; i < 4; i++)
            {
                databases.Add(TestStores.Open(server.ConnectionString(), schema));
                nodes.Add(new PostgreSqlFraudWorkspaceStore(databases[i]));
            }

            for (var round = 0; round < 5; round++)
            {
                var id = "al_race" + round.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await nodes[0].UpsertAlertsAsync([Alert(id)], default);

                // Every node confirms at once, twice over: from new, exactly one review can move the alert to confirmed.
                using var start = new SemaphoreSlim(0);
                var reviews = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
                {
                    await start.WaitAsync();
                    return await nodes[i % nodes.Count].ReviewAlertAsync(id, new WorkspaceAlertReview(WorkspaceAlertStates.Confirmed, "investigator" + i, s_t0.AddMinutes(1), null), default);
                })).ToArray();
                start.Release(reviews.Length);
                var results = await Task.WhenAll(reviews);

                Assert.Equal(1, results.Count(r => r.Outcome == WorkspaceReviewOutcome.Updated));
                Assert.All(results.Where(r => r.Outcome != WorkspaceReviewOutcome.Updated), r =>
                {
                    Assert.Equal(WorkspaceReviewOutcome.Conflict, r.Outcome);
                    Assert.Equal(WorkspaceAlertStates.Confirmed, r.Alert!.State); // the conflict shows the alert as the winner left it
                });
                Assert.Single((await nodes[3].GetAlertAsync(id, default))!.History);
            }
        }
        finally
        {
            foreach (var database in databases)
            {
                await database.DisposeAsync();
            }
        }
    }

    [SkippableFact]
    public async Task Schema_FromVersionOne_MigratesToTheWorkspaceTables()
    {
        Skip.IfNot(server.Available, PostgreSqlServer.MissingMessage);
        var schema = TestStores.UniqueSchema("migrate");
        await using (var database = TestStores.Open(server.ConnectionString(), schema))
        {
            await database.EnsureSchemaAsync(default);
        }

        // Wind the schema back to version 1, as a node of the previous release left it.
        await using (var connection = new Npgsql.NpgsqlConnection(server.ConnectionString()))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                DROP TABLE "{schema}".share_revocations, "{schema}".fraud_alerts, "{schema}".fraud_alert_history, "{schema}".fraud_lists, "{schema}".fraud_audit;
                DELETE FROM "{schema}".schema_version WHERE version = 2;
                """;
            await command.ExecuteNonQueryAsync();
        }

        await using var upgraded = TestStores.Open(server.ConnectionString(), schema);
        var store = new PostgreSqlFraudWorkspaceStore(upgraded);
        await store.UpsertAlertsAsync([Alert("al_after")], default);
        await upgraded.RevokeShareLinkAsync("sl_after", s_t0.AddYears(10), default);

        Assert.NotNull(await store.GetAlertAsync("al_after", default));
        Assert.True(await upgraded.IsShareLinkRevokedAsync("sl_after", default));
    }

    private static WorkspaceAlert Alert(string id, long count = 12) => new()
    {
        Id = id,
        Rule = "credential_stuffing",
        Severity = "page",
        Score = 87.5,
        SubjectKind = "ip",
        Subject = "k1.SUBJECT",
        FirstSeen = s_t0,
        LastSeen = s_t0.AddSeconds(30),
        Count = count,
    };
}
