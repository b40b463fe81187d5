using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Sketches;
using NumoTelemetry.Dashboard.Tests.Infrastructure;
using NumoTelemetry.Records;
using static NumoTelemetry.Dashboard.Tests.Infrastructure.TestRecords;

namespace NumoTelemetry.Dashboard.Tests.Aggregation;

public sealed class DashboardProcessorTests
{
    private static readonly DateTimeOffset s_t0 = new(2025, 3, 10, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task WritePendingAsync_RecordsOverTwoHours_RollsUpMinutesIntoHoursAndDay()
    {
        using var h = new DashboardHarness(s_t0);
        await h.FoldAsync(
            View(s_t0.AddSeconds(5), "a"),
            View(s_t0.AddSeconds(50), "b"),
            View(s_t0.AddMinutes(1), "a"),
            View(s_t0.AddMinutes(61), "c"));

        var minutes = await h.ReadAsync(DashboardGranularity.Minute, DashboardDimensions.Total);
        var hours = await h.ReadAsync(DashboardGranularity.Hour, DashboardDimensions.Total);
        var days = await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.Total);

        Assert.Equal([2L, 1L, 1L], minutes.Select(c => c.PageViews));
        Assert.Equal([3L, 1L], hours.Select(c => c.PageViews));
        Assert.Equal([2L, 1L], hours.Select(c => HyperLogLog.FromBytes(c.Visitors).Count()));
        var day = Assert.Single(days);
        Assert.Equal(4, day.PageViews);
        Assert.Equal(3, HyperLogLog.FromBytes(day.Visitors).Count());
        Assert.Equal(new DateTimeOffset(2025, 3, 10, 0, 0, 0, TimeSpan.Zero), day.BucketStart);
    }

    [Fact]
    public async Task WritePendingAsync_BatchesWrittenSeparately_MergeUniquesInsteadOfAdding()
    {
        using var h = new DashboardHarness(s_t0);
        await h.FoldAsync(View(s_t0, "a"), View(s_t0, "b"));
        await h.FoldAsync(View(s_t0.AddSeconds(10), "a"), View(s_t0.AddSeconds(20), "c"));

        var day = Assert.Single(await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.Total));

        Assert.Equal(4, day.PageViews);
        Assert.Equal(3, HyperLogLog.FromBytes(day.Visitors).Count());
    }

    [Fact]
    public async Task Fold_VisitsOfOneDay_CountsVisitsBouncesAndDuration()
    {
        using var h = new DashboardHarness(s_t0);
        await h.FoldAsync(
            View(s_t0, "a"),
            View(s_t0.AddMinutes(2), "a"),
            View(s_t0.AddMinutes(5), "a"),   // visit 1 of a: 3 views, 5 minutes
            View(s_t0.AddMinutes(1), "b"),   // visit of b: bounce
            View(s_t0.AddMinutes(50), "a")); // 45 idle minutes: visit 2 of a, a bounce

        var day = Assert.Single(await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.Total));

        Assert.Equal(3, day.Visits);
        Assert.Equal(1, day.EngagedVisits);
        Assert.Equal((long)TimeSpan.FromMinutes(5).TotalMilliseconds, day.VisitMilliseconds);
    }

    [Fact]
    public async Task Fold_SessionChange_StartsANewVisit()
    {
        using var h = new DashboardHarness(s_t0);
        await h.FoldAsync(View(s_t0, "a", session: "s1"), View(s_t0.AddMinutes(1), "a", session: "s1"), View(s_t0.AddMinutes(2), "a", session: "s2"));

        var day = Assert.Single(await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.Total));

        Assert.Equal(2, day.Visits);
        Assert.Equal(1, day.EngagedVisits);
    }

    [Fact]
    public async Task Fold_FraudPreventionOnly_CountsPageViewButNoVisitorOrVisit()
    {
        using var h = new DashboardHarness(s_t0);
        await h.FoldAsync(
            View(s_t0, "optout", consent: ConsentLevel.FraudPreventionOnly),
            View(s_t0.AddSeconds(1), "optout", consent: ConsentLevel.FraudPreventionOnly),
            View(s_t0.AddSeconds(2), "a"));

        var day = Assert.Single(await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.Total));

        Assert.Equal(3, day.PageViews);
        Assert.Equal(1, HyperLogLog.FromBytes(day.Visitors).Count());
        Assert.Equal(1, day.Visits);
        Assert.Equal(2, HyperLogLog.FromBytes(day.Contributors).Count()); // k-anonymity still sees two subjects
    }

    [Fact]
    public async Task Fold_BotsErrorsAndPosts_AreRequestsButNotPageViews()
    {
        using var h = new DashboardHarness(s_t0);
        await h.FoldAsync(
            View(s_t0, "bot", bot: true),
            View(s_t0, "a", status: 404),
            View(s_t0, "b", method: "POST"),
            View(s_t0, "c"));

        var day = Assert.Single(await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.Total));
        var bots = await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.Bot);
        var status = await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.Status);

        Assert.Equal(4, day.Requests);
        Assert.Equal(1, day.PageViews);
        Assert.Equal(1, bots.Single(c => c.Key == "bot").Requests);
        Assert.Equal(3, bots.Single(c => c.Key == "human").Requests);
        Assert.Equal(1, status.Single(c => c.Key == "4xx").Requests);
    }

    [Fact]
    public async Task Fold_ExcludedRoutes_AreNotCounted()
    {
        using var h = new DashboardHarness(s_t0);
        h.Filter.Add("/numo");
        await h.FoldAsync(View(s_t0, "a", route: "/metrics"), View(s_t0, "a", route: "/numo/api/overview"), View(s_t0, "a", route: "/numbers"));

        var day = Assert.Single(await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.Total));

        Assert.Equal(1, day.PageViews);
    }

    [Fact]
    public async Task Fold_Cube_KeepsEveryPageViewDimensionTogether()
    {
        using var h = new DashboardHarness(s_t0);
        await h.FoldAsync(
            View(s_t0, "a", route: "/products/{id}", country: "FR", browser: "Firefox", device: "mobile", referrer: "news.example", campaign: "spring"),
            View(s_t0, "b", route: "/products/{id}", country: "FR", browser: "Firefox", device: "mobile"));

        var cube = await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.Cube);
        var referrers = await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.Referrer);
        var campaigns = await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.UtmCampaign);

        var keys = cube.Select(c => c.Key.Split('\u001f')).OrderBy(k => k[4], StringComparer.Ordinal).ToList();
        Assert.Equal(2, keys.Count);
        Assert.All(keys, k => Assert.Equal(DashboardDimensions.CubeAxes.Length, k.Length));
        Assert.Equal(["/products/{id}", "FR", "Firefox", "mobile", "news.example", "(none)", "(none)", "spring"], keys[1][..8]);
        Assert.Equal(["/products/{id}", "/products/{id}"], keys[1][10..]); // page and entry page
        Assert.Equal(["(direct)", "(none)"], new[] { keys[0][4], keys[0][7] });
        Assert.Equal(["(direct)", "news.example"], referrers.Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["(none)", "spring"], campaigns.Select(c => c.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Fold_ManyCampaignValuesEachFromTwoClients_CapsDistinctValuesPerDay()
    {
        using var h = new DashboardHarness(s_t0, o => o.MaxValuesPerDimension = 10);
        var records = new RequestRecord[50];
        for (var i = 0; i < 25; i++)
        {
            records[2 * i] = View(s_t0, "v" + i, campaign: "c" + i);
            records[(2 * i) + 1] = View(s_t0, "w" + i, campaign: "c" + i);
        }

        await h.FoldAsync(records);

        // c0-c4 on first sight (half the slots), c5-c9 from their second client on, c10-c24 beyond the cap.
        var campaigns = await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.UtmCampaign);
        Assert.Equal(11, campaigns.Count);
        Assert.Equal(2, campaigns.Single(c => c.Key == "c4").PageViews);
        Assert.Equal(1, campaigns.Single(c => c.Key == "c9").PageViews);
        Assert.Equal(35, campaigns.Single(c => c.Key == DashboardDimensions.Other).PageViews);
    }

    [Fact]
    public async Task Fold_Risk_FillsBandScoreAndReasonDimensions()
    {
        using var h = new DashboardHarness(s_t0);
        await h.FoldAsync(View(s_t0, "a", risk: new RequestRisk(62, RiskBand.Alert, "credential_stuffing")), View(s_t0, "b"));

        var bands = await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.RiskBand);
        var scores = await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.RiskScore);
        var reasons = await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.RiskReason);

        Assert.Equal(1, bands.Single(c => c.Key == "alert").Requests);
        Assert.Equal(1, scores.Single(c => c.Key == "50-74").Requests);
        Assert.Equal("credential_stuffing", Assert.Single(reasons).Key);
    }

    [Fact]
    public async Task Fold_SteadyState_AllocatesNothing()
    {
        using var h = new DashboardHarness(s_t0);
        var a = View(s_t0, "a", campaign: "c", referrer: "r.example", session: "s");
        var b = View(s_t0, "b", campaign: "c", referrer: "r.example", consent: ConsentLevel.FraudPreventionOnly);
        await h.Processor.ProcessAsync(new[] { a, b }, default);
        for (var i = 0; i < 100; i++)
        {
            h.Processor.Fold(in a);
            h.Processor.Fold(in b);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            h.Processor.Fold(in a);
            h.Processor.Fold(in b);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task ProcessAsync_BeforeWriteInterval_BuffersThenWritesOnFlush()
    {
        using var h = new DashboardHarness(s_t0);
        await h.Processor.ProcessAsync(new[] { View(s_t0, "a") }, default);
        Assert.Empty(await h.ReadAsync(DashboardGranularity.Minute, DashboardDimensions.Total));

        h.Time.Advance(h.Options.WriteInterval);
        await h.Processor.FlushAsync(default);

        Assert.Single(await h.ReadAsync(DashboardGranularity.Minute, DashboardDimensions.Total));
    }

    [Fact]
    public async Task FlushAsync_OldCells_ArePurgedPerGranularity()
    {
        using var h = new DashboardHarness(s_t0, o => o.MinuteRetentionDays = 1);
        await h.FoldAsync(View(s_t0.AddDays(-3), "a"), View(s_t0, "b"));

        await h.Processor.FlushAsync(default);

        Assert.Single(await h.ReadAsync(DashboardGranularity.Minute, DashboardDimensions.Total));
        Assert.Equal(2, (await h.ReadAsync(DashboardGranularity.Hour, DashboardDimensions.Total)).Count);
    }

    [Fact]
    public async Task Restart_AfterWriting_AggregatesSurviveAndKeepMerging()
    {
        using var h = new DashboardHarness(s_t0);
        await h.FoldAsync(View(s_t0, "a"), View(s_t0, "b"));
        h.Restart();
        await h.FoldAsync(View(s_t0.AddMinutes(3), "a"), View(s_t0.AddMinutes(3), "c"));

        var day = Assert.Single(await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.Total));

        Assert.Equal(4, day.PageViews);
        Assert.Equal(3, HyperLogLog.FromBytes(day.Visitors).Count());
    }

    [Fact]
    public async Task WritePendingAsync_StoreFails_DoesNotThrowAndKeepsTheCellsForTheNextWrite()
    {
        using var h = new DashboardHarness(s_t0);
        using var processor = new DashboardProcessor(
            new FailingStore(),
            Microsoft.Extensions.Options.Options.Create(h.Options),
            h.Filter,
            h.Time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<DashboardProcessor>.Instance);

        await processor.ProcessAsync(new[] { View(s_t0, "a") }, default);
        var pending = processor.PendingCount;
        await processor.WritePendingAsync(default);

        Assert.Equal(pending, processor.PendingCount);
        Assert.Equal(1, processor.StoreFailures);
    }

    private sealed class FailingStore : IDashboardStore
    {
        public ValueTask WriteAsync(IReadOnlyList<DashboardCell> cells, CancellationToken cancellationToken) => throw new IOException("disk full");

        public ValueTask<IReadOnlyList<DashboardCell>> ReadAsync(DashboardCellQuery query, CancellationToken cancellationToken) => throw new IOException("disk full");

        public ValueTask<int> PurgeAsync(DashboardGranularity granularity, DateTimeOffset cutoff, CancellationToken cancellationToken) => throw new IOException("disk full");

        public ValueTask AppendAlertsAsync(IReadOnlyList<DashboardAlert> alerts, CancellationToken cancellationToken) => throw new IOException("disk full");

        public ValueTask<IReadOnlyList<DashboardAlert>> ReadAlertsAsync(DateTimeOffset since, int max, CancellationToken cancellationToken) => throw new IOException("disk full");

        public ValueTask<int> PurgeAlertsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => throw new IOException("disk full");
    }
}
