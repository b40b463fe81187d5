namespace NumoTelemetry.Dashboard.PostgreSql.Tests;

/// <summary>Tests that share one throwaway PostgreSQL cluster (each with its own database or schema).</summary>
[CollectionDefinition(Name)]
public sealed class PostgreSqlCollection : ICollectionFixture<PostgreSqlServer>
{
    public const string Name = "postgresql";
}
