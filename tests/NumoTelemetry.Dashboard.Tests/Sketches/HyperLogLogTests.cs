using NumoTelemetry.Dashboard.Sketches;

namespace NumoTelemetry.Dashboard.Tests.Sketches;

public sealed class HyperLogLogTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(20)]
    public void Count_SmallSets_IsExact(int distinct)
    {
        var hll = new HyperLogLog();
        for (var i = 0; i < distinct; i++)
        {
            hll.Add((ulong)i);
            hll.Add((ulong)i); // duplicates do not count
        }

        Assert.Equal(distinct, hll.Count());
    }

    [Fact]
    public void Count_SetsBelowSixtyFour_NeverOverCount()
    {
        // k-anonymity relies on this: a small cell is never reported larger than it is.
        var random = new Random(42);
        for (var trial = 0; trial < 2_000; trial++)
        {
            var hll = new HyperLogLog();
            var n = random.Next(1, 64);
            for (var i = 0; i < n; i++)
            {
                hll.Add((ulong)random.NextInt64());
            }

            Assert.True(hll.Count() <= n, $"{hll.Count()} > {n}");
            Assert.True(hll.Count() >= n - 3, $"{hll.Count()} << {n}");
        }
    }

    [Fact]
    public void Count_LargeSet_IsWithinFourPercent()
    {
        var hll = new HyperLogLog();
        for (var i = 0; i < 200_000; i++)
        {
            hll.Add((ulong)i * 7919);
        }

        Assert.True(hll.IsDense);
        Assert.InRange(hll.Estimate(), 192_000, 208_000);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(5_000)]
    public void ToBytes_RoundTrip_KeepsEstimate(int distinct)
    {
        var hll = new HyperLogLog();
        for (var i = 0; i < distinct; i++)
        {
            hll.Add((ulong)i);
        }

        var bytes = hll.ToBytes();
        var copy = HyperLogLog.FromBytes(bytes);

        Assert.Equal(hll.Estimate(), copy.Estimate());
        Assert.Equal(bytes, copy.ToBytes());
        Assert.True(distinct > 1000 || bytes.Length < 100, "small sets stay sparse and small");
    }

    [Fact]
    public void Merge_OverlappingSets_CountsTheUnion()
    {
        var a = new HyperLogLog();
        var b = new HyperLogLog();
        for (var i = 0; i < 3_000; i++)
        {
            a.Add((ulong)i);
        }

        for (var i = 2_000; i < 6_000; i++)
        {
            b.Add((ulong)i);
        }

        var merged = HyperLogLog.FromBytes(HyperLogLog.MergeSerialized(a.ToBytes(), b.ToBytes()));
        a.Merge(b);

        Assert.InRange(merged.Estimate(), 5_700, 6_300);
        Assert.Equal(a.Estimate(), merged.Estimate());
    }

    [Fact]
    public void Merge_SparseIntoDense_EqualsDenseIntoSparse()
    {
        var small = new HyperLogLog();
        var large = new HyperLogLog();
        for (var i = 0; i < 10; i++)
        {
            small.Add((ulong)i + 1_000_000);
        }

        for (var i = 0; i < 10_000; i++)
        {
            large.Add((ulong)i);
        }

        var left = HyperLogLog.FromBytes(small.ToBytes());
        left.Merge(large);
        var right = HyperLogLog.FromBytes(large.ToBytes());
        right.Merge(small);

        Assert.Equal(left.ToBytes(), right.ToBytes());
    }

    [Theory]
    [InlineData(new byte[] { 1 })]
    [InlineData(new byte[] { 1, 11, 0, 0 })]
    [InlineData(new byte[] { 9, 12, 0, 0 })]
    [InlineData(new byte[] { 1, 12, 2, 0, 1, 0, 3 })]
    [InlineData(new byte[] { 2, 12, 0 })]
    [InlineData(new byte[] { 1, 12, 1, 0, 0xFF, 0xFF, 3 })]
    public void FromBytes_Malformed_ThrowsFormatException(byte[] bytes) =>
        Assert.Throws<FormatException>(() => HyperLogLog.FromBytes(bytes));

    [Fact]
    public void FromBytes_Empty_IsEmptySketch() => Assert.True(HyperLogLog.FromBytes([]).IsEmpty);
}
