namespace NumoTelemetry.Fraud.State;

/// <summary>
/// The arithmetic of the store contract, shared by every store (in-memory, Redis) and the engine so that all agree to the bit.
/// Public for <see cref="IFraudStateStore"/> implementations: a store that applies operations elsewhere (the Redis store's
/// Lua script) computes buckets, generations and sketch registers with it and passes them in.
/// </summary>
public static class StateMath
{
    /// <summary>The register of a distinct-count element in the contract's sketch, and its rank there.</summary>
    /// <param name="element">The element (a pseudonym hash); 0 is never added.</param>
    /// <param name="rank">The element's rank in its register.</param>
    /// <returns>The register index, below 1,024.</returns>
    public static int DistinctRegisterOf(ulong element, out byte rank) => DistinctSketch.RegisterOf(element, out rank);

    /// <summary>Unix milliseconds of a time.</summary>
    public static long UnixMs(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    /// <summary>Floor division for bucket indexes (correct for negative times too).</summary>
    public static long Bucket(long unixMs, long lengthMs)
    {
        lengthMs = Math.Max(1, lengthMs);
        return unixMs >= 0 ? unixMs / lengthMs : ((unixMs + 1) / lengthMs) - 1;
    }

    /// <summary>
    /// The whole milliseconds of a window, <c>(long)window.TotalMilliseconds</c>, without the floating-point division: an integer
    /// division of the ticks gives the same number for any window under 2^53 ticks (28 years), where the double quotient is
    /// never rounded up to the next whole millisecond; longer (and negative) windows take the double form.
    /// </summary>
    public static long WholeMs(TimeSpan window)
    {
        var ticks = window.Ticks;
        return (ulong)ticks < (1UL << 53) ? ticks / TimeSpan.TicksPerMillisecond : (long)window.TotalMilliseconds;
    }

    /// <summary>Counter bucket length in ms for a window.</summary>
    public static long CounterBucketMs(TimeSpan window) => CounterBucketMs(WholeMs(window));

    /// <summary>Counter bucket length in ms for a window of <paramref name="wholeMs"/> (<see cref="WholeMs"/>).</summary>
    public static long CounterBucketMs(long wholeMs) => Math.Max(1, wholeMs / StateOperation.CounterBuckets);

    /// <summary>Distinct generation length in ms for a window.</summary>
    public static long GenerationMs(TimeSpan window) => GenerationMs(WholeMs(window));

    /// <summary>Distinct generation length in ms for a window of <paramref name="wholeMs"/> (<see cref="WholeMs"/>).</summary>
    public static long GenerationMs(long wholeMs) => Math.Max(1, wholeMs / StateOperation.DistinctGenerations);

    /// <summary>A value decayed with half-life <paramref name="halfLifeMs"/> over <paramref name="elapsedMs"/>.</summary>
    public static double Decay(double value, long elapsedMs, double halfLifeMs) =>
        elapsedMs <= 0 || value == 0 ? value : value * Math.Pow(2, -elapsedMs / Math.Max(1, halfLifeMs));

    /// <summary>One step of the timing series (see <see cref="IFraudStateStore"/>): updates count, mean and variance with a gap.</summary>
    public static void TimingStep(ref long count, ref double mean, ref double variance, double gapMs)
    {
        count++;
        var a = Math.Max(1.0 / count, 0.05);
        var delta = gapMs - mean;
        mean += a * delta;
        variance = (1 - a) * (variance + (a * delta * delta));
    }

    /// <summary>A 64-bit finaliser (splitmix64): spreads any 64-bit value over all bits.</summary>
    public static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9UL;
        x ^= x >> 27;
        x *= 0x94d049bb133111ebUL;
        return x ^ (x >> 31);
    }

    /// <summary>The coefficient of variation of a timing series.</summary>
    public static double Variation(double mean, double variance) => mean <= 0 ? 0 : Math.Sqrt(Math.Max(0, variance)) / mean;
}
