namespace NumoTelemetry.Redis.Tests;

/// <summary>Tests that share one redis-server (each with its own key prefix).</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "redis";
}
