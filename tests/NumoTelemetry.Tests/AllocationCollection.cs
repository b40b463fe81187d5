namespace NumoTelemetry.Tests;

/// <summary>
/// Tests that count bytes allocated on their thread run alone, after the parallel ones: other tests' work
/// (listeners, tier-up of shared code) must not land in their measurement.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "Allocation measurements";

    /// <summary>
    /// Bytes <paramref name="run"/> allocates on this thread, in the best of up to 20 attempts: a steady-state allocation shows in
    /// every attempt, a one-off of the runtime's (tier-up, on-stack replacement) only while the JIT is still moving the code to
    /// optimised versions. After an attempt that allocated, it waits 50 ms so that tiered compilation can install them (three
    /// back-to-back attempts were not always enough on a busy machine).
    /// </summary>
    public static long SteadyStateBytes(Action run)
    {
        var allocated = long.MaxValue;
        for (var attempt = 0; attempt < 20 && allocated != 0; attempt++)
        {
            if (attempt > 0)
            {
                Thread.Sleep(50);
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            run();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        return allocated;
    }
}
