using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace NumoTelemetry.Metrics;

/// <summary>
/// The cardinality guard of one metric tag: the first <c>max</c> distinct values pass, later new
/// values become <c>other</c>. Lock-free on the hot path; no allocation for a known value. Tag values
/// are nearly always shared instances (route templates, interned browser families), so a small
/// reference-keyed cache answers before any string hashing. Each known value has exactly one
/// <see cref="Decision"/>, made once and reused, so a miss in that small cache (many hot values
/// sharing its slots) costs a dictionary lookup, never an allocation.
/// </summary>
internal sealed class TagValueGuard(int max)
{
    public const string Other = "other";

    private const int RecentSize = 64;

    // Values folded into "other" also get a reused decision, up to this many; past it they are looked up each time.
    private const int MaxRememberedOthers = 1024;

    private readonly ConcurrentDictionary<string, Decision> _known = new(StringComparer.Ordinal);
    private readonly Decision?[] _recent = new Decision?[RecentSize];
    private int _count;
    private int _others;

    public string Fold(string value)
    {
        var slot = RuntimeHelpers.GetHashCode(value) & (RecentSize - 1);
        var recent = Volatile.Read(ref _recent[slot]);
        if (recent is not null && ReferenceEquals(recent.Value, value))
        {
            return recent.Result;
        }

        var decision = Decide(value);
        if (decision is null)
        {
            return Other;
        }

        Volatile.Write(ref _recent[slot], decision);
        return decision.Result;
    }

    private Decision? Decide(string value)
    {
        if (_known.TryGetValue(value, out var known))
        {
            return known;
        }

        if (Interlocked.Increment(ref _count) <= max)
        {
            var decision = new Decision(value, value);
            var stored = _known.GetOrAdd(value, decision);
            if (!ReferenceEquals(stored, decision))
            {
                Interlocked.Decrement(ref _count); // another thread added it first
            }

            return stored;
        }

        Interlocked.Decrement(ref _count);
        if (Interlocked.Increment(ref _others) <= MaxRememberedOthers)
        {
            var decision = new Decision(value, Other);
            var stored = _known.GetOrAdd(value, decision);
            if (!ReferenceEquals(stored, decision))
            {
                Interlocked.Decrement(ref _others);
            }

            return stored;
        }

        Interlocked.Decrement(ref _others);
        return null;
    }

    private sealed class Decision(string value, string result)
    {
        public string Value { get; } = value;

        public string Result { get; } = result;
    }
}
