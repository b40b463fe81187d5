using NumoTelemetry.Dashboard.PostgreSql.Internal;
using NumoTelemetry.Dashboard.Tests.Storage;

namespace NumoTelemetry.Dashboard.PostgreSql.Tests;

/// <summary>The fraud workspace conformance suite against the PostgreSQL store (its own schema per test, a real server).</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlFraudWorkspaceStoreConformanceTests(PostgreSqlServer server) : FraudWorkspaceStoreConformanceTests
{
    private PostgreSqlDashboardStore? _database;

    protected override Task<IFraudWorkspaceStore> CreateStoreAsync()
    {
        Skip.IfNot(server.Available, PostgreSqlServer.MissingMessage);
        _database = TestStores.Open(server.ConnectionString(), TestStores.UniqueSchema("workspace"));
        return Task.FromResult<IFraudWorkspaceStore>(new PostgreSqlFraudWorkspaceStore(_database));
    }

    protected override async Task DisposeStoreAsync(IFraudWorkspaceStore store)
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
