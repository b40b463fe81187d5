using NumoTelemetry.Dashboard.Storage;
using NumoTelemetry.Dashboard.Tests.Infrastructure;

namespace NumoTelemetry.Dashboard.Tests.Storage;

/// <summary>The conformance suite on the embedded SQLite store (a real file in a temporary directory).</summary>
public sealed class SqliteFraudWorkspaceStoreTests : FraudWorkspaceStoreConformanceTests
{
    private readonly TempDirectory _directory = new();

    protected override Task<IFraudWorkspaceStore> CreateStoreAsync() =>
        Task.FromResult<IFraudWorkspaceStore>(new SqliteFraudWorkspaceStore(Path.Combine(_directory.Path, "numo-dashboard.db")));

    protected override Task DisposeStoreAsync(IFraudWorkspaceStore store)
    {
        ((IDisposable)store).Dispose();
        _directory.Dispose();
        return Task.CompletedTask;
    }
}
