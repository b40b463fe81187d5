using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;

namespace NumoTelemetry.Capture;

/// <summary>
/// Finds a running request's <see cref="NumoRequestFeature"/> from its <see cref="HttpContext"/> (for the signals API and
/// <c>GetNumoTelemetryRisk()</c>) without setting an HttpContext feature. Setting a feature changes the context's feature
/// revision, so every feature the context had cached (request, response, connection, ...) is fetched again afterwards, by
/// us and by everything downstream; a small table keyed by the context's identity costs a compare-exchange instead.
/// </summary>
/// <remarks>
/// Open addressing over a fixed array shared by every NumoTelemetry instance in the process: a request takes a free slot
/// among the <see cref="Probes"/> after its context's identity hash and gives it back when it finishes. A slot is matched
/// by the feature's <see cref="NumoRequestFeature.Owner"/>, so a feature recycled for another request is never found for
/// the old one. When all those slots are taken (thousands of requests running at once, long-lived WebSockets), the
/// request falls back to an HttpContext feature: slower, never wrong.
/// </remarks>
internal static class RunningRequests
{
    internal const int Probes = 8;
    private const int Size = 4096;
    private static readonly NumoRequestFeature?[] Slots = new NumoRequestFeature?[Size];

    /// <summary>Makes <paramref name="feature"/> the running state of <paramref name="context"/> (its <see cref="NumoRequestFeature.Owner"/>).</summary>
    public static void Add(HttpContext context, NumoRequestFeature feature)
    {
        feature.Owner = context; // before the slot is published
        var start = RuntimeHelpers.GetHashCode(context);
        for (var i = 0; i < Probes; i++)
        {
            var index = (start + i) & (Size - 1);
            if (Volatile.Read(ref Slots[index]) is null && Interlocked.CompareExchange(ref Slots[index], feature, null) is null)
            {
                feature.Slot = index;
                return;
            }
        }

        feature.Slot = -1;
        context.Features[typeof(NumoRequestFeature)] = feature;
    }

    /// <summary>
    /// Disowns the state of a request that has finished (from here on no context finds it) and gives back its slot. A
    /// fallback feature stays in the context's collection (the server clears it with the request; removing it would
    /// invalidate the context's cached features once more): disowned, it is found no more.
    /// </summary>
    public static void Remove(NumoRequestFeature feature)
    {
        feature.Owner = null;
        var slot = feature.Slot;
        if (slot >= 0)
        {
            // Only this request took this slot: a volatile write gives it back.
            Volatile.Write(ref Slots[slot], null);
            feature.Slot = -1;
        }
    }

    /// <summary>The running request's feature, or <see langword="null"/>.</summary>
    public static NumoRequestFeature? Find(HttpContext context)
    {
        var start = RuntimeHelpers.GetHashCode(context);
        for (var i = 0; i < Probes; i++)
        {
            if (Volatile.Read(ref Slots[(start + i) & (Size - 1)]) is { } feature && ReferenceEquals(feature.Owner, context))
            {
                return feature;
            }
        }

        return context.Features.Get<NumoRequestFeature>() is { } fallback && ReferenceEquals(fallback.Owner, context) ? fallback : null;
    }
}
