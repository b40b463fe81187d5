using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace NumoTelemetry.Metrics;

/// <summary>
/// The cardinality guard of one metric tag: the first <c>max</c> distinct values pass, later new
/// values become <c>other</c>. Lock-free on the hot path; no allocation for a known value. Tag values
/// are nearly always shared instances (route templates, interned browser families), so a small
/// reference-keyed cache answers before any string hashing.
/// </summary>
internal sealed class TagValueGuard(int max)
{
    public const string Other = "other";

    private const int RecentSize = 64;

    private readonly ConcurrentDictionary<string, bool> _known = new(StringComparer.Ordinal);
    private readonly Decision?[] _recent = new Decision?[RecentSize];
    private int _count;

    public string Fold(string value)
    {
        var slot = RuntimeHelpers.GetHashCode(value) & (RecentSize - 1);
        var recent = Volatile.Read(ref _recent[slot]);
        if (recent is not null && ReferenceEquals(recent.Value, value))
        {
            return recent.Result;
        }

        var result = FoldSlow(value);
        Volatile.Write(ref _recent[slot], new Decision(value, result));
        return result;
    }

    private string FoldSlow(string value)
    {
        if (_known.ContainsKey(value))
        {
            return value;
        }

        if (Interlocked.Increment(ref _count) <= max)
        {
            _known.TryAdd(value, true);
            return value;
        }

        Interlocked.Decrement(ref _count);
        return Other;
    }

    private sealed record Decision(string Value, string Result);
}
