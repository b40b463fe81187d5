using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NumoTelemetry.Dashboard;
using NumoTelemetry.Dashboard.PostgreSql;
using NumoTelemetry.Dashboard.PostgreSql.Internal;
using NumoTelemetry.Dashboard.Storage;
using NumoTelemetry.SubjectRights;

namespace NumoTelemetry.Cli.Commands;

/// <summary>
/// One dashboard store as <c>numo subject</c> reads and erases it: its alerts (<see cref="IDashboardStore"/>) and the fraud
/// workspace beside them (<see cref="IFraudWorkspaceStore"/>: alerts with triage, lists, audit), either in the SQLite file
/// (<c>--dashboard-db</c>) or in the fleet's PostgreSQL schema (<c>--dashboard-postgres</c>).
/// </summary>
internal sealed class SubjectStores(string name, IDashboardStore dashboard, IFraudWorkspaceStore workspace, Func<ValueTask> dispose) : IAsyncDisposable
{
    /// <summary>How the output names the store: <c>dashboard</c> (SQLite) or <c>dashboard on PostgreSQL</c>.</summary>
    public string Name => name;

    public IDashboardStore Dashboard => dashboard;

    public IFraudWorkspaceStore Workspace => workspace;

    /// <summary>The stores the arguments name (none, one or both).</summary>
    /// <exception cref="SubjectRightsException">A named store cannot be used.</exception>
    public static List<SubjectStores> Open(SubjectCommand.SubjectArguments a, SiteSettings settings)
    {
        var stores = new List<SubjectStores>();
        try
        {
            OpenInto(stores, a, settings);
            return stores;
        }
        catch
        {
            foreach (var store in stores)
            {
                store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            throw;
        }
    }

    private static void OpenInto(List<SubjectStores> stores, SubjectCommand.SubjectArguments a, SiteSettings settings)
    {
        if (a.DashboardDb is { } db)
        {
            if (!db.Exists)
            {
                throw new SubjectRightsException($"--dashboard-db {db.FullName} does not exist.");
            }

            var dashboard = new SqliteDashboardStore(db.FullName);
            var workspace = new SqliteFraudWorkspaceStore(db.FullName);
            stores.Add(new SubjectStores("dashboard", dashboard, workspace, () =>
            {
                workspace.Dispose();
                dashboard.Dispose();
                return ValueTask.CompletedTask;
            }));
        }

        if (a.DashboardPostgres is not null || a.DashboardPostgresFromConfig)
        {
            var connection = a.DashboardPostgres ?? settings.PostgreSql.ConnectionString;
            if (string.IsNullOrWhiteSpace(connection))
            {
                throw new SubjectRightsException("--dashboard-postgres without a connection string needs --config with NumoTelemetry:Dashboard:PostgreSql:ConnectionString.");
            }

            var options = new PostgreSqlDashboardOptions
            {
                ConnectionString = connection,
                Schema = settings.PostgreSql.Schema,
                CommandTimeout = TimeSpan.FromSeconds(Math.Max(30, settings.PostgreSql.CommandTimeout.TotalSeconds)), // erasure rewrites tables
            };
            var failure = new PostgreSqlDashboardOptionsValidator().Validate(null, options);
            if (failure.Failed)
            {
                throw new SubjectRightsException(failure.FailureMessage);
            }

            var dashboard = new PostgreSqlDashboardStore(Options.Create(options), NullLogger<PostgreSqlDashboardStore>.Instance);
            stores.Add(new SubjectStores("dashboard on PostgreSQL", dashboard, new PostgreSqlFraudWorkspaceStore(dashboard), dashboard.DisposeAsync));
        }
    }

    public ValueTask DisposeAsync() => dispose();
}
