using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace NumoTelemetry.Dashboard.PostgreSql.Internal;

/// <summary>
/// Creates or migrates the schema at start-up, so the first dashboard request and the first write find it. A database
/// that is unreachable at start-up does not stop the host: the failure is logged and counted once, and every store call
/// tries again until it succeeds.
/// </summary>
internal sealed class PostgreSqlSchemaInitializer(PostgreSqlDashboardStore store, ILogger<PostgreSqlSchemaInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            PostgreSqlDashboardLog.SchemaNotReady(logger, ex.GetType().Name, PostgreSqlDashboardStore.Describe(ex));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
