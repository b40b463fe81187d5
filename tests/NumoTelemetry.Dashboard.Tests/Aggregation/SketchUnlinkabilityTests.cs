using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Sketches;
using NumoTelemetry.Dashboard.Tests.Infrastructure;
using NumoTelemetry.Records;
using static NumoTelemetry.Dashboard.Tests.Infrastructure.TestRecords;

namespace NumoTelemetry.Dashboard.Tests.Aggregation;

/// <summary>
/// The attack on stored distinct-count sketches: whoever holds a person's pseudonym (or the key that derives it)
/// checks, cell by cell, whether the register of that pseudonym holds at least its rank. A HyperLogLog has no false
/// negatives, so with raw pseudonyms in the sketches every cell the person contributed to answers yes.
/// </summary>
public sealed class SketchUnlinkabilityTests
{
    private static readonly DateTimeOffset s_t0 = new(2025, 3, 10, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task StoredSketches_PseudonymKnownAfterDayClosed_MembershipTestFindsNoCellOfThePerson()
    {
        using var h = new DashboardHarness(s_t0);
        string[] targetRoutes = ["/t1", "/t2", "/t3", "/t4"];
        var records = new List<RequestRecord>();
        for (var i = 0; i < targetRoutes.Length; i++)
        {
            // A GPC opt-out visitor: no analytics pseudonym, the IP pseudonym is its subject.
            records.Add(View(s_t0.AddMinutes(i), "target", route: targetRoutes[i], consent: ConsentLevel.FraudPreventionOnly, referrer: "r" + i));
            records.Add(View(s_t0.AddMinutes(i), "full-visitor", route: targetRoutes[i], consent: ConsentLevel.Full, referrer: "r" + i));
            for (var j = 0; j < 6; j++)
            {
                records.Add(View(s_t0.AddMinutes(i), $"other{i}-{j}", route: targetRoutes[i], referrer: "r" + i));
                records.Add(View(s_t0.AddMinutes(i), $"bystander{i}-{j}", route: "/n" + i, referrer: "n" + i));
            }
        }

        await h.FoldAsync([.. records]);

        // The day closes: the processor moves past the end of the day plus its grace period.
        h.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(1));
        await h.Processor.FlushAsync(default);

        var optOut = View(s_t0, "target", consent: ConsentLevel.FraudPreventionOnly).Ip.Hash64;
        var full = View(s_t0, "full-visitor", consent: ConsentLevel.Full);
        var cells = new List<(DashboardCell Cell, bool Target)>();
        foreach (var granularity in new[] { DashboardGranularity.Minute, DashboardGranularity.Hour, DashboardGranularity.Day })
        {
            foreach (var cell in await h.ReadAsync(granularity, DashboardDimensions.Cube))
            {
                cells.Add((cell, cell.Key.StartsWith("/t", StringComparison.Ordinal)));
            }

            foreach (var cell in await h.ReadAsync(granularity, DashboardDimensions.Referrer))
            {
                cells.Add((cell, cell.Key.StartsWith('r')));
            }
        }

        var targetCells = cells.Count(c => c.Target);
        Assert.True(targetCells >= 8, $"only {targetCells} cells of the person were written");

        // The attack, with the pseudonyms in hand (both the IP pseudonym of the opt-out visitor and the analytics
        // pseudonym of the consenting one).
        var optOutHits = cells.Count(c => c.Target && HyperLogLog.FromBytes(c.Cell.Contributors).MayContain(optOut));
        var fullHits = cells.Count(c => c.Target && (HyperLogLog.FromBytes(c.Cell.Visitors).MayContain(full.AnalyticsVisitor.Hash64)
            || HyperLogLog.FromBytes(c.Cell.Contributors).MayContain(full.AnalyticsVisitor.Hash64)));

        // Chance alone (a register of another member at least as high) finds a cell with probability well under 1 %.
        Assert.True(optOutHits < targetCells / 2, $"the opt-out visitor's pseudonym tested positive in {optOutHits} of its {targetCells} cells");
        Assert.True(fullHits < targetCells / 2, $"the consenting visitor's pseudonym tested positive in {fullHits} of its {targetCells} cells");
    }

    [Fact]
    public async Task WritePendingAsync_DayClosed_ItsSecretIsDeletedFromTheStore()
    {
        using var h = new DashboardHarness(s_t0);
        await h.FoldAsync(View(s_t0, "a"));
        Assert.Equal(1, SecretRows(h.DatabasePath));

        // Within the grace period after midnight the secret stays, for records still in the pipeline.
        h.Time.Advance(TimeSpan.FromHours(10) + TimeSpan.FromMinutes(5));
        await h.FoldAsync(View(s_t0.AddHours(9).AddMinutes(59), "a"), View(s_t0.AddHours(10).AddMinutes(5), "b"));
        Assert.Equal(2, SecretRows(h.DatabasePath));

        h.Time.Advance(DailySketchSecrets.Grace);
        await h.Processor.WritePendingAsync(default);

        Assert.Equal(1, SecretRows(h.DatabasePath));
        Assert.Equal(1, h.Processor.Secrets.Count);
    }

    [Fact]
    public async Task Fold_LateRecordOfAClosedDay_CountsButEntersNoSketch()
    {
        using var h = new DashboardHarness(s_t0);
        await h.FoldAsync(View(s_t0, "a"));
        h.Time.Advance(TimeSpan.FromDays(1));
        await h.FoldAsync(View(s_t0.AddMinutes(1), "b"));

        var day = Assert.Single(await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.Total));

        Assert.Equal(2, day.PageViews);
        Assert.Equal(1, HyperLogLog.FromBytes(day.Visitors).Count());
        Assert.Equal(1, HyperLogLog.FromBytes(day.Contributors).Count());
    }

    [Fact]
    public async Task Fold_SameVisitorOnTwoDays_CountsOncePerDay()
    {
        using var h = new DashboardHarness(s_t0);
        await h.FoldAsync(View(s_t0, "a"), View(s_t0, "b"));
        h.Time.Advance(TimeSpan.FromDays(1));
        await h.FoldAsync(View(s_t0.AddDays(1), "a"));

        var days = await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.Total);
        var merged = new HyperLogLog();
        foreach (var day in days)
        {
            merged.MergeBytes(day.Visitors);
        }

        Assert.Equal(2, days.Count);
        Assert.Equal(3, merged.Count()); // person-days: a's two days are unrelated values
    }

    [Fact]
    public async Task StoreFiles_AfterFoldingAndClosingTheDay_HoldNoPseudonymInAnyForm()
    {
        using var h = new DashboardHarness(s_t0);
        var records = new[]
        {
            View(s_t0, "canary-full", consent: ConsentLevel.Full, session: "canary-session", campaign: "c", referrer: "r.example"),
            View(s_t0, "canary-gpc", consent: ConsentLevel.FraudPreventionOnly, campaign: "c", referrer: "r.example"),
            View(s_t0, "canary-cookieless", campaign: "c"),
        };
        await h.FoldAsync(records);
        h.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(1));
        await h.Processor.WritePendingAsync(default);
        h.Restart(); // the store checkpoints its log into the database file on dispose

        var files = new List<byte[]>();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(h.DatabasePath)!))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files.Add(copy.ToArray());
        }

        foreach (var record in records)
        {
            foreach (var pseudonym in new[] { record.AnalyticsVisitor, record.Ip, record.Session })
            {
                if (pseudonym.IsEmpty)
                {
                    continue;
                }

                var little = BitConverter.GetBytes(pseudonym.Hash64);
                var big = little.Reverse().ToArray();
                var text = System.Text.Encoding.UTF8.GetBytes(pseudonym.ToString());
                foreach (var bytes in files)
                {
                    Assert.True(bytes.AsSpan().IndexOf(little) < 0 && bytes.AsSpan().IndexOf(big) < 0 && bytes.AsSpan().IndexOf(text) < 0, "a pseudonym is stored in the dashboard database");
                }
            }
        }
    }

    private static long SecretRows(string path)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM day_secrets";
        return (long)command.ExecuteScalar()!;
    }
}
