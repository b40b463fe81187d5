using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Sketches;
using NumoTelemetry.Dashboard.Tests.Infrastructure;
using NumoTelemetry.Privacy;
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
}
