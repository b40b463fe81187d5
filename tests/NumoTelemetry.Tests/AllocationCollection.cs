namespace NumoTelemetry.Tests;

/// <summary>
/// Tests that count bytes allocated on their thread run alone, after the parallel ones: other tests' work
/// (listeners, tier-up of shared code) must not land in their measurement.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "Allocation measurements";
}
