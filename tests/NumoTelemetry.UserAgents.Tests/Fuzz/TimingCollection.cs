namespace NumoTelemetry.UserAgents.Tests.Fuzz;

/// <summary>Tests that assert wall-clock bounds run in this collection, alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "Timing";
}
