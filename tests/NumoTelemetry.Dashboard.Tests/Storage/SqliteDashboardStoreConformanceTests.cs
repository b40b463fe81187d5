using NumoTelemetry.Dashboard.Storage;
using NumoTelemetry.Dashboard.Tests.Conformance;
using NumoTelemetry.Dashboard.Tests.Infrastructure;

namespace NumoTelemetry.Dashboard.Tests.Storage;

/// <summary>The dashboard store conformance suite against the embedded SQLite store (one file per test store).</summary>
public sealed class SqliteDashboardStoreConformanceTests : DashboardStoreConformanceTests, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    protected override Task<IDashboardStore> CreateStoreAsync(string name) => Task.FromResult<IDashboardStore>(new SqliteDashboardStore(_dir.File(name + ".db")));

    protected override Task<IDashboardStore> OpenAgainAsync(string name) => Task.FromResult<IDashboardStore>(new SqliteDashboardStore(_dir.File(name + ".db")));
}
