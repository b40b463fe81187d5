using System.Runtime.InteropServices;

namespace NumoTelemetry.Dashboard.Aggregation;

/// <summary>The in-memory key of an aggregate cell: bucket start ticks, dimension and the stored key (a cube's values joined by U+001F).</summary>
[StructLayout(LayoutKind.Auto)]
internal readonly record struct CellKey(long BucketTicks, string Dimension, string StoredKey)
{
    /// <summary>The same cell in a coarser bucket.</summary>
    public CellKey WithBucket(long bucketTicks) => this with { BucketTicks = bucketTicks };
}
