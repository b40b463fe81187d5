namespace NumoTelemetry.Dashboard.Tests.Infrastructure;

/// <summary>Tests that share one running sample (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class SampleCollection : ICollectionFixture<SampleServer>
{
    public const string Name = "sample";
}
