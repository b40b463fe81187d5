using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Sketches;

namespace NumoTelemetry.Dashboard.Tests.Storage;

/// <summary>The cell's upsert-add, the public surface a store in another package coalesces cells with.</summary>
public sealed class DashboardCellTests
{
    private static readonly DateTimeOffset Minute = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Add_SameCell_AddsCountersAndMergesSketches()
    {
        var cell = Cell(requests: 3, visitors: [1, 2, 3]);
        var other = Cell(requests: 2, visitors: [3, 4]);

        cell.Add(other);

        Assert.Equal(5, cell.Requests);
        Assert.Equal(2, cell.PageViews);
        Assert.Equal(4, HyperLogLog.FromBytes(cell.Visitors).Count());
        Assert.Equal(4, HyperLogLog.FromBytes(cell.Contributors).Count());
    }

    [Fact]
    public void Add_NoSketches_StaysWithout()
    {
        var cell = Cell(requests: 1, visitors: []);

        cell.Add(Cell(requests: 1, visitors: []));

        Assert.Null(cell.Visitors);
        Assert.Equal(2, cell.Requests);
    }

    [Fact]
    public void Add_CellOfAnotherKeyOrBucket_Throws()
    {
        var cell = Cell(requests: 1, visitors: [1]);

        Assert.Throws<ArgumentException>(() => cell.Add(new DashboardCell { Granularity = DashboardGranularity.Minute, BucketStart = Minute, Dimension = DashboardCell.TotalDimension, Key = "other" }));
        Assert.Throws<ArgumentException>(() => cell.Add(new DashboardCell { Granularity = DashboardGranularity.Minute, BucketStart = Minute.AddMinutes(1), Dimension = DashboardCell.TotalDimension, Key = "" }));
        Assert.Equal(1, cell.Requests);
    }

    [Fact]
    public void TotalDimension_IsTheAggregatorsTotal()
    {
        Assert.Equal(DashboardDimensions.Total, DashboardCell.TotalDimension);
    }

    private static DashboardCell Cell(long requests, ulong[] visitors)
    {
        byte[]? sketch = null;
        if (visitors.Length > 0)
        {
            var hll = new HyperLogLog();
            foreach (var v in visitors)
            {
                hll.Add(v);
            }

            sketch = hll.ToBytes();
        }

        return new DashboardCell
        {
            Granularity = DashboardGranularity.Minute,
            BucketStart = Minute,
            Dimension = DashboardCell.TotalDimension,
            Key = "",
            Requests = requests,
            PageViews = 1,
            Visitors = sketch,
            Contributors = sketch,
        };
    }
}
