using NumoTelemetry.Dashboard.PostgreSql.Internal;
using NumoTelemetry.Dashboard.Tests.Conformance;

namespace NumoTelemetry.Dashboard.PostgreSql.Tests;

/// <summary>The dashboard store conformance suite against the PostgreSQL store (one schema per test store, a real server).</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlDashboardStoreConformanceTests(PostgreSqlServer server) : DashboardStoreConformanceTests
{
    private readonly Dictionary<string, string> _schemas = [];

    protected override Task<IDashboardStore> CreateStoreAsync(string name)
    {
        Skip.IfNot(server.Available, PostgreSqlServer.MissingMessage);
        var schema = TestStores.UniqueSchema(name);
        _schemas[name] = schema;
        return Task.FromResult<IDashboardStore>(TestStores.Open(server.ConnectionString(), schema));
    }

    protected override Task<IDashboardStore> OpenAgainAsync(string name) => Task.FromResult<IDashboardStore>(TestStores.Open(server.ConnectionString(), _schemas[name]));

    protected override Task SettleAsync(IDashboardStore store) => TestStores.SettleAsync((PostgreSqlDashboardStore)store);
}
