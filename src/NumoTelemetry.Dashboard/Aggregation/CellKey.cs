using System.Runtime.InteropServices;

namespace NumoTelemetry.Dashboard.Aggregation;

/// <summary>The in-memory key of an aggregate cell: bucket start ticks, dimension and up to four values (the cube uses all four).</summary>
[StructLayout(LayoutKind.Auto)]
internal readonly record struct CellKey(long BucketTicks, string Dimension, string A, string B, string C, string D)
{
    /// <summary>The stored key: the value, or the cube's four values joined by U+001F.</summary>
    public string StoredKey => ReferenceEquals(Dimension, DashboardDimensions.Cube)
        ? string.Join(DashboardDimensions.CubeSeparator, A, B, C, D)
        : A;

    /// <summary>The same cell in a coarser bucket.</summary>
    public CellKey WithBucket(long bucketTicks) => this with { BucketTicks = bucketTicks };
}
