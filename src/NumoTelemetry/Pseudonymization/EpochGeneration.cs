using System.Runtime.CompilerServices;

namespace NumoTelemetry.Pseudonymization;

/// <summary>
/// One generation of an in-process cache whose keys are raw values, valid for one pseudonymisation epoch and key
/// (its <see cref="Tag"/>, as <see cref="Pseudonymizer.TagOf"/> makes it).
/// </summary>
internal interface IEpochGeneration
{
    long Tag { get; }
}

/// <summary>The generation swap of a cache that holds raw values (the User-Agent memo).</summary>
internal static class EpochGeneration
{
    /// <summary>
    /// The generation for <paramref name="tag"/>: the current one, a fresh one when the tag moved on (the old one, with its raw
    /// keys, becomes unreachable), or null for a stale tag (a request that began just before the epoch changed): that one is
    /// neither served nor cached. Lock-free; <paramref name="create"/> runs only when the tag changes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T? Current<T>(ref T? current, long tag, int size, Func<long, int, T> create)
        where T : class, IEpochGeneration
    {
        var seen = Volatile.Read(ref current);
        return seen is not null && seen.Tag == tag ? seen : Advance(ref current, seen, tag, size, create);
    }

    private static T? Advance<T>(ref T? current, T? seen, long tag, int size, Func<long, int, T> create)
        where T : class, IEpochGeneration
    {
        while (seen is null || seen.Tag != tag)
        {
            if (seen is not null && (tag >> 16) < (seen.Tag >> 16))
            {
                return null; // an older epoch than the cache's: never bring it back
            }

            var fresh = create(tag, size);
            var found = Interlocked.CompareExchange(ref current, fresh, seen);
            if (ReferenceEquals(found, seen))
            {
                return fresh;
            }

            seen = found; // another thread advanced first: use its generation if it is for this tag
        }

        return seen;
    }
}
