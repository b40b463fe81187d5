using NumoTelemetry.Dashboard;

namespace NumoTelemetry.Dashboard.Tests.Storage;

/// <summary>
/// What every <see cref="IFraudWorkspaceStore"/> must do, written against the interface only: subclass it with a factory for
/// your implementation (a fresh, empty store per test; <see cref="DisposeStoreAsync"/> cleans up). Self-contained: it needs
/// nothing else from this project, so another test project may link the file.
/// </summary>
public abstract class FraudWorkspaceStoreConformanceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    /// <summary>The store under test (made by <see cref="CreateStoreAsync"/> before each test).</summary>
    protected IFraudWorkspaceStore Store { get; private set; } = null!;

    /// <summary>Makes a fresh, empty store.</summary>
    protected abstract Task<IFraudWorkspaceStore> CreateStoreAsync();

    /// <summary>Releases the store (and whatever backs it).</summary>
    protected abstract Task DisposeStoreAsync(IFraudWorkspaceStore store);

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public Task DisposeAsync() => DisposeStoreAsync(Store);

    [SkippableFact]
    public async Task UpsertAlerts_NewAlert_IsStoredAsNewWithEveryField()
    {
        var alert = Alert("al_one", T0, T0.AddSeconds(30));
        await Store.UpsertAlertsAsync([alert], default);

        var read = await Store.GetAlertAsync("al_one", default);

        Assert.NotNull(read);
        Assert.Equal("al_one", read.Id);
        Assert.Equal("credential_stuffing", read.Rule);
        Assert.Equal("page", read.Severity);
        Assert.Equal(87.5, read.Score);
        Assert.Equal("ip", read.SubjectKind);
        Assert.Equal("k1.AAAAAAAAAAAAAAAAAAAAAA", read.Subject);
        Assert.Equal(T0, read.FirstSeen);
        Assert.Equal(T0.AddSeconds(30), read.LastSeen);
        Assert.Equal(12, read.Count);
        Assert.Equal("""[{"code":"credential_stuffing","points":87.5}]""", read.ReasonsJson);
        Assert.Equal("""{"failedLogins":40,"country":"NL"}""", read.EvidenceJson);
        Assert.Equal(WorkspaceAlertStates.New, read.State);
        Assert.Empty(read.History);
    }

    [SkippableFact]
    public async Task UpsertAlerts_RepeatNotification_UpdatesFactsKeepsStateAndFirstSeen()
    {
        await Store.UpsertAlertsAsync([Alert("al_one", T0, T0.AddSeconds(30))], default);
        await Store.ReviewAlertAsync("al_one", new WorkspaceAlertReview(WorkspaceAlertStates.Acknowledged, "ines", T0.AddMinutes(1), null), default);

        await Store.UpsertAlertsAsync([Alert("al_one", T0.AddSeconds(10), T0.AddMinutes(5), count: 30, severity: "alert", score: 61)], default);
        await Store.UpsertAlertsAsync([Alert("al_one", T0.AddSeconds(10), T0.AddMinutes(2), count: 31)], default); // late, older lastSeen

        var read = await Store.GetAlertAsync("al_one", default);
        Assert.NotNull(read);
        Assert.Equal(T0, read.FirstSeen);
        Assert.Equal(T0.AddMinutes(5), read.LastSeen);
        Assert.Equal(31, read.Count);
        Assert.Equal(WorkspaceAlertStates.Acknowledged, read.State);
        Assert.Single(read.History);
    }

    [SkippableFact]
    public async Task GetAlert_Unknown_IsNull()
    {
        Assert.Null(await Store.GetAlertAsync("al_missing", default));
    }

    [SkippableFact]
    public async Task QueryAlerts_Filters_MatchExactlyNewestFirstWithinLimit()
    {
        await Store.UpsertAlertsAsync(
        [
            Alert("al_a", T0, T0.AddMinutes(1), rule: "burst", severity: "alert", kind: "ip", subject: "k1.a"),
            Alert("al_b", T0, T0.AddMinutes(3), rule: "burst", severity: "page", kind: "session", subject: "k1.b"),
            Alert("al_c", T0, T0.AddMinutes(2), rule: "scanner", severity: "page", kind: "ip", subject: "k1.a"),
            Alert("al_d", T0.AddHours(2), T0.AddHours(3), rule: "burst", severity: "page", kind: "ip", subject: "k1.d"),
        ], default);
        await Store.ReviewAlertAsync("al_b", new WorkspaceAlertReview(WorkspaceAlertStates.FalsePositive, "ines", T0.AddMinutes(4), "test traffic"), default);

        Assert.Equal(["al_d", "al_b", "al_c", "al_a"], Ids(await Store.QueryAlertsAsync(new WorkspaceAlertQuery(), default)));
        Assert.Equal(["al_d", "al_b", "al_a"], Ids(await Store.QueryAlertsAsync(new WorkspaceAlertQuery { Rule = "burst" }, default)));
        Assert.Equal(["al_d", "al_b", "al_c"], Ids(await Store.QueryAlertsAsync(new WorkspaceAlertQuery { Severity = "page" }, default)));
        Assert.Equal(["al_b"], Ids(await Store.QueryAlertsAsync(new WorkspaceAlertQuery { State = WorkspaceAlertStates.FalsePositive }, default)));
        Assert.Equal(["al_d", "al_c", "al_a"], Ids(await Store.QueryAlertsAsync(new WorkspaceAlertQuery { State = WorkspaceAlertStates.New }, default)));
        Assert.Equal(["al_c", "al_a"], Ids(await Store.QueryAlertsAsync(new WorkspaceAlertQuery { SubjectKind = "ip", Subject = "k1.a" }, default)));
        Assert.Equal(["al_b", "al_c", "al_a"], Ids(await Store.QueryAlertsAsync(new WorkspaceAlertQuery { Until = T0.AddHours(1) }, default)));
        Assert.Equal(["al_d", "al_b"], Ids(await Store.QueryAlertsAsync(new WorkspaceAlertQuery { Since = T0.AddMinutes(3) }, default)));
        Assert.Equal(["al_d", "al_b"], Ids(await Store.QueryAlertsAsync(new WorkspaceAlertQuery { Limit = 2 }, default)));
        Assert.Empty(await Store.QueryAlertsAsync(new WorkspaceAlertQuery { Rule = "BURST" }, default));
        Assert.All(await Store.QueryAlertsAsync(new WorkspaceAlertQuery(), default), a => Assert.Empty(a.History));
    }

    [SkippableFact]
    public async Task ReviewAlert_Workflow_RecordsWhoWhenNoteInOrder()
    {
        await Store.UpsertAlertsAsync([Alert("al_one", T0, T0)], default);

        var acknowledged = await Store.ReviewAlertAsync("al_one", new WorkspaceAlertReview(WorkspaceAlertStates.Acknowledged, "ines", T0.AddMinutes(1), null), default);
        var resolved = await Store.ReviewAlertAsync("al_one", new WorkspaceAlertReview(WorkspaceAlertStates.FalsePositive, "marc", T0.AddMinutes(2), "QA load test"), default);

        Assert.Equal(WorkspaceReviewOutcome.Updated, acknowledged.Outcome);
        Assert.Equal(WorkspaceAlertStates.Acknowledged, acknowledged.Alert!.State);
        Assert.Equal(WorkspaceReviewOutcome.Updated, resolved.Outcome);
        Assert.Equal(WorkspaceAlertStates.FalsePositive, resolved.Alert!.State);
        Assert.Equal(
        [
            new WorkspaceHistoryEntry(T0.AddMinutes(1), "ines", WorkspaceAlertStates.New, WorkspaceAlertStates.Acknowledged, null),
            new WorkspaceHistoryEntry(T0.AddMinutes(2), "marc", WorkspaceAlertStates.Acknowledged, WorkspaceAlertStates.FalsePositive, "QA load test"),
        ], resolved.Alert.History);
        var read = await Store.GetAlertAsync("al_one", default);
        Assert.Equal(resolved.Alert.History, read!.History);
        Assert.Equal(WorkspaceAlertStates.FalsePositive, read.State);
    }

    [SkippableFact]
    public async Task ReviewAlert_BackwardsMove_IsConflictAndChangesNothing()
    {
        await Store.UpsertAlertsAsync([Alert("al_one", T0, T0)], default);
        await Store.ReviewAlertAsync("al_one", new WorkspaceAlertReview(WorkspaceAlertStates.Confirmed, "ines", T0.AddMinutes(1), null), default);

        var back = await Store.ReviewAlertAsync("al_one", new WorkspaceAlertReview(WorkspaceAlertStates.Acknowledged, "marc", T0.AddMinutes(2), null), default);
        var toNew = await Store.ReviewAlertAsync("al_one", new WorkspaceAlertReview(WorkspaceAlertStates.New, "marc", T0.AddMinutes(2), null), default);
        var same = await Store.ReviewAlertAsync("al_one", new WorkspaceAlertReview(WorkspaceAlertStates.Confirmed, "marc", T0.AddMinutes(2), null), default);
        var unknown = await Store.ReviewAlertAsync("al_one", new WorkspaceAlertReview("closed", "marc", T0.AddMinutes(2), null), default);

        Assert.All([back, toNew, same, unknown], r => Assert.Equal(WorkspaceReviewOutcome.Conflict, r.Outcome));
        Assert.Equal(WorkspaceAlertStates.Confirmed, back.Alert!.State);
        var read = await Store.GetAlertAsync("al_one", default);
        Assert.Equal(WorkspaceAlertStates.Confirmed, read!.State);
        Assert.Single(read.History);
    }

    [SkippableFact]
    public async Task ReviewAlert_Unknown_IsNotFound()
    {
        var result = await Store.ReviewAlertAsync("al_missing", new WorkspaceAlertReview(WorkspaceAlertStates.Acknowledged, "ines", T0, null), default);

        Assert.Equal(WorkspaceReviewOutcome.NotFound, result.Outcome);
        Assert.Null(result.Alert);
    }

    [SkippableFact]
    public async Task ReviewAlert_ConcurrentReviewsFromOneState_OnlyOneWins()
    {
        await Store.UpsertAlertsAsync([Alert("al_one", T0, T0)], default);
        await Store.ReviewAlertAsync("al_one", new WorkspaceAlertReview(WorkspaceAlertStates.Acknowledged, "ines", T0.AddMinutes(1), null), default);

        // From acknowledged, confirmed and false-positive are both allowed; afterwards only the other verdict is. Of many
        // concurrent "confirmed" reviews exactly one can move the alert.
        var reviews = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            await Store.ReviewAlertAsync("al_one", new WorkspaceAlertReview(WorkspaceAlertStates.Confirmed, "investigator" + i, T0.AddMinutes(2), null), default))).ToArray();
        var results = await Task.WhenAll(reviews);

        Assert.Equal(1, results.Count(r => r.Outcome == WorkspaceReviewOutcome.Updated));
        Assert.Equal(7, results.Count(r => r.Outcome == WorkspaceReviewOutcome.Conflict));
        Assert.Equal(2, (await Store.GetAlertAsync("al_one", default))!.History.Count);
    }

    [SkippableFact]
    public async Task Lists_AddReadRemove_KeepListsApartAndHideExpired()
    {
        var allow = Entry("le_allow", WorkspaceListKind.Allow, rule: "burst", expires: T0.AddHours(1), created: T0);
        var allowForever = Entry("le_forever", WorkspaceListKind.Allow, rule: null, expires: null, created: T0.AddMinutes(1));
        var deny = Entry("le_deny", WorkspaceListKind.Deny, rule: null, expires: null, created: T0);
        await Store.AddListEntryAsync(allow, default);
        await Store.AddListEntryAsync(allowForever, default);
        await Store.AddListEntryAsync(deny, default);

        var allowed = await Store.ReadListAsync(WorkspaceListKind.Allow, T0.AddMinutes(30), default);
        Assert.Equal(["le_forever", "le_allow"], allowed.Select(e => e.Id));
        var read = allowed[1];
        Assert.Equal(WorkspaceListKind.Allow, read.List);
        Assert.Equal("ip", read.SubjectKind);
        Assert.Equal("k1.AAAAAAAAAAAAAAAAAAAAAA", read.Subject);
        Assert.Equal("burst", read.Rule);
        Assert.Equal(T0.AddHours(1), read.Expires);
        Assert.Equal(T0, read.Created);
        Assert.Equal("ines", read.CreatedBy);
        Assert.Equal("known partner", read.Note);
        Assert.Null(allowed[0].Rule);
        Assert.Null(allowed[0].Expires);

        Assert.Equal(["le_forever"], (await Store.ReadListAsync(WorkspaceListKind.Allow, T0.AddHours(1), default)).Select(e => e.Id));
        Assert.Equal(["le_deny"], (await Store.ReadListAsync(WorkspaceListKind.Deny, T0, default)).Select(e => e.Id));

        Assert.Null(await Store.RemoveListEntryAsync(WorkspaceListKind.Deny, "le_allow", default)); // wrong list
        var removed = await Store.RemoveListEntryAsync(WorkspaceListKind.Allow, "le_allow", default);
        Assert.Equal("le_allow", removed!.Id);
        Assert.Equal("k1.AAAAAAAAAAAAAAAAAAAAAA", removed.Subject);
        Assert.Null(await Store.RemoveListEntryAsync(WorkspaceListKind.Allow, "le_allow", default));
        Assert.Equal(["le_forever"], (await Store.ReadListAsync(WorkspaceListKind.Allow, T0, default)).Select(e => e.Id));
    }

    [SkippableFact]
    public async Task Audit_AppendRead_NewestFirstSinceWithinMax()
    {
        await Store.AppendAuditAsync(new WorkspaceAuditEntry { Id = "au_1", At = T0, Who = "ines", Action = "lookup", Kind = "ip" }, default);
        await Store.AppendAuditAsync(new WorkspaceAuditEntry { Id = "au_2", At = T0.AddMinutes(1), Who = "marc", Action = "review", Kind = "false-positive", Target = "al_one" }, default);
        await Store.AppendAuditAsync(new WorkspaceAuditEntry { Id = "au_3", At = T0.AddMinutes(2), Who = "ines", Action = "allow-add", Kind = "ip", Target = "le_1" }, default);

        var all = await Store.ReadAuditAsync(T0, 10, default);
        Assert.Equal(["au_3", "au_2", "au_1"], all.Select(e => e.Id));
        var lookup = all[2];
        Assert.Equal(T0, lookup.At);
        Assert.Equal("ines", lookup.Who);
        Assert.Equal("lookup", lookup.Action);
        Assert.Equal("ip", lookup.Kind);
        Assert.Null(lookup.Target);
        Assert.Equal("al_one", all[1].Target);
        Assert.Equal(["au_3", "au_2"], (await Store.ReadAuditAsync(T0.AddMinutes(1), 10, default)).Select(e => e.Id));
        Assert.Equal(["au_3"], (await Store.ReadAuditAsync(T0, 1, default)).Select(e => e.Id));
    }

    [SkippableFact]
    public async Task PurgeWorkspace_Retention_RemovesOldAlertsHistoryAuditAndExpiredEntries()
    {
        await Store.UpsertAlertsAsync([Alert("al_old", T0, T0.AddMinutes(1)), Alert("al_new", T0, T0.AddDays(10))], default);
        await Store.ReviewAlertAsync("al_old", new WorkspaceAlertReview(WorkspaceAlertStates.Confirmed, "ines", T0.AddMinutes(2), null), default);
        await Store.AppendAuditAsync(new WorkspaceAuditEntry { Id = "au_old", At = T0, Who = "ines", Action = "lookup", Kind = "ip" }, default);
        await Store.AppendAuditAsync(new WorkspaceAuditEntry { Id = "au_new", At = T0.AddDays(10), Who = "ines", Action = "lookup", Kind = "ip" }, default);
        await Store.AddListEntryAsync(Entry("le_lapsed", WorkspaceListKind.Allow, null, T0.AddDays(1), T0), default);
        await Store.AddListEntryAsync(Entry("le_open", WorkspaceListKind.Deny, null, null, T0), default);

        var removed = await Store.PurgeWorkspaceAsync(T0.AddDays(5), T0.AddDays(5), T0.AddDays(5), default);

        Assert.Equal(4, removed); // al_old, its history entry, au_old, le_lapsed
        Assert.Null(await Store.GetAlertAsync("al_old", default));
        Assert.NotNull(await Store.GetAlertAsync("al_new", default));
        Assert.Equal(["au_new"], (await Store.ReadAuditAsync(DateTimeOffset.MinValue.AddYears(2000), 10, default)).Select(e => e.Id));
        Assert.Empty(await Store.ReadListAsync(WorkspaceListKind.Allow, T0, default));
        Assert.Single(await Store.ReadListAsync(WorkspaceListKind.Deny, T0, default));

        // The purged alert id may come back as a new group later: it starts again as new, without the old history.
        await Store.UpsertAlertsAsync([Alert("al_old", T0.AddDays(6), T0.AddDays(6))], default);
        var again = await Store.GetAlertAsync("al_old", default);
        Assert.Equal(WorkspaceAlertStates.New, again!.State);
        Assert.Empty(again.History);
    }

    [SkippableFact]
    public async Task RecordsOfSubjects_ReadThenDelete_AlertsHistoryListsAndAuditOfThoseSubjectsOnly()
    {
        const string Theirs = "k1.THEIRSAAAAAAAAAAAAAAA";
        const string TheirsLater = "k2.THEIRSBBBBBBBBBBBBBBB";
        const string Other = "k1.OTHERCCCCCCCCCCCCCCCC";
        await Store.UpsertAlertsAsync(
        [
            Alert("al_later", T0.AddDays(8), T0.AddDays(8), kind: "user", subject: TheirsLater),
            Alert("al_theirs", T0, T0.AddMinutes(1), subject: Theirs),
            Alert("al_other", T0, T0.AddMinutes(1), subject: Other),
        ], default);
        await Store.ReviewAlertAsync("al_theirs", new WorkspaceAlertReview(WorkspaceAlertStates.FalsePositive, "ines", T0.AddMinutes(2), "their shared office"), default);
        await Store.ReviewAlertAsync("al_other", new WorkspaceAlertReview(WorkspaceAlertStates.Confirmed, "marc", T0.AddMinutes(2), null), default);
        await Store.AddListEntryAsync(Entry("le_theirs", WorkspaceListKind.Allow, "credential_stuffing", T0.AddDays(1), T0.AddMinutes(2), Theirs), default); // expired by now: still theirs
        await Store.AddListEntryAsync(Entry("le_other", WorkspaceListKind.Deny, null, null, T0, Other), default);
        await Store.AppendAuditAsync(new WorkspaceAuditEntry { Id = "au_review", At = T0.AddMinutes(2), Who = "ines", Action = "review", Kind = "false-positive", Target = "al_theirs" }, default);
        await Store.AppendAuditAsync(new WorkspaceAuditEntry { Id = "au_allow", At = T0.AddMinutes(3), Who = "ines", Action = "allow-add", Kind = "ip", Target = "le_theirs" }, default);
        await Store.AppendAuditAsync(new WorkspaceAuditEntry { Id = "au_lookup", At = T0.AddMinutes(4), Who = "ines", Action = "lookup", Kind = "ip" }, default);
        await Store.AppendAuditAsync(new WorkspaceAuditEntry { Id = "au_other", At = T0.AddMinutes(5), Who = "marc", Action = "review", Kind = "confirmed", Target = "al_other" }, default);
        var subjects = new HashSet<string>(StringComparer.Ordinal) { Theirs, TheirsLater, "k1.NOBODYDDDDDDDDDDDDDDD" };

        var records = await Store.ReadRecordsOfSubjectsAsync(subjects, default);

        Assert.Equal(["al_theirs", "al_later"], Ids(records.Alerts));
        var reviewed = records.Alerts[0];
        Assert.Equal(WorkspaceAlertStates.FalsePositive, reviewed.State);
        Assert.Equal([new WorkspaceHistoryEntry(T0.AddMinutes(2), "ines", WorkspaceAlertStates.New, WorkspaceAlertStates.FalsePositive, "their shared office")], reviewed.History);
        Assert.Equal(Theirs, reviewed.Subject);
        Assert.Equal("""{"failedLogins":40,"country":"NL"}""", reviewed.EvidenceJson);
        var entry = Assert.Single(records.ListEntries);
        Assert.Equal("le_theirs", entry.Id);
        Assert.Equal(T0.AddDays(1), entry.Expires);
        Assert.Equal(["au_review", "au_allow"], records.Audit.Select(a => a.Id));
        Assert.Equal(5, records.Count);
        Assert.Equal(0, (await Store.ReadRecordsOfSubjectsAsync(new HashSet<string>(), default)).Count);

        Assert.Equal(5, await Store.DeleteRecordsOfSubjectsAsync(subjects, default));

        Assert.Equal(0, (await Store.ReadRecordsOfSubjectsAsync(subjects, default)).Count);
        Assert.Null(await Store.GetAlertAsync("al_theirs", default));
        Assert.Equal(["al_other"], Ids(await Store.QueryAlertsAsync(new WorkspaceAlertQuery(), default)));
        Assert.Single((await Store.GetAlertAsync("al_other", default))!.History);
        Assert.Equal(["le_other"], (await Store.ReadListAsync(WorkspaceListKind.Deny, T0, default)).Select(e => e.Id));
        Assert.Empty(await Store.ReadListAsync(WorkspaceListKind.Allow, T0, default));
        Assert.Equal(["au_other", "au_lookup"], (await Store.ReadAuditAsync(T0, 10, default)).Select(e => e.Id));
        Assert.Equal(0, await Store.DeleteRecordsOfSubjectsAsync(subjects, default));

        // An alert id erased with its person may come back as a new group: it starts again as new, without the old history.
        await Store.UpsertAlertsAsync([Alert("al_theirs", T0.AddDays(9), T0.AddDays(9), subject: Theirs)], default);
        Assert.Empty((await Store.GetAlertAsync("al_theirs", default))!.History);
    }

    private static string[] Ids(IReadOnlyList<WorkspaceAlert> alerts) => [.. alerts.Select(a => a.Id)];

    private static WorkspaceAlert Alert(
        string id,
        DateTimeOffset first,
        DateTimeOffset last,
        string rule = "credential_stuffing",
        string severity = "page",
        string kind = "ip",
        string subject = "k1.AAAAAAAAAAAAAAAAAAAAAA",
        long count = 12,
        double score = 87.5) => new()
        {
            Id = id,
            Rule = rule,
            Severity = severity,
            Score = score,
            SubjectKind = kind,
            Subject = subject,
            FirstSeen = first,
            LastSeen = last,
            Count = count,
            ReasonsJson = """[{"code":"credential_stuffing","points":87.5}]""",
            EvidenceJson = """{"failedLogins":40,"country":"NL"}""",
        };

    private static WorkspaceListEntry Entry(string id, WorkspaceListKind list, string? rule, DateTimeOffset? expires, DateTimeOffset created, string subject = "k1.AAAAAAAAAAAAAAAAAAAAAA") => new()
    {
        Id = id,
        List = list,
        SubjectKind = "ip",
        Subject = subject,
        Rule = rule,
        Expires = expires,
        Created = created,
        CreatedBy = "ines",
        Note = "known partner",
    };
}
