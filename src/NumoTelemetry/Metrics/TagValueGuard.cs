using System.Collections.Concurrent;

namespace NumoTelemetry.Metrics;

/// <summary>
/// The cardinality guard of one metric tag: the first <c>max</c> distinct values pass, later new
/// values become <c>other</c>. Lock-free on the hot path; no allocation for a known value.
/// </summary>
internal sealed class TagValueGuard(int max)
{
    public const string Other = "other";

    private readonly ConcurrentDictionary<string, bool> _known = new(StringComparer.Ordinal);
    private int _count;

    public string Fold(string value)
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
}
