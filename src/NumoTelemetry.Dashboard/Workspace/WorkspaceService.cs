using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Metrics;

namespace NumoTelemetry.Dashboard.Workspace;

/// <summary>
/// The workspace's background work: at start, the stored allow and deny lists go back to the fraud engine; then, every
/// <see cref="DashboardOptions.WriteInterval"/>, queued alerts are written, and once an hour the retention purge runs.
/// Failures are logged once while they last and counted in <c>numo.errors{numo.stage=workspace_store}</c>.
/// </summary>
internal sealed class WorkspaceService(
    WorkspaceAlertRecorder recorder,
    WorkspaceFeedback feedback,
    IFraudWorkspaceStore store,
    IOptions<DashboardOptions> options,
    TimeProvider time,
    ILogger<WorkspaceService> logger,
    ILossCounter? metrics = null) : BackgroundService
{
    private static readonly TimeSpan PurgeEvery = TimeSpan.FromHours(1);

    private int _failures;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var loaded = false;
        var purgedAt = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(o.WriteInterval, time);
        do
        {
            try
            {
                if (!loaded)
                {
                    await feedback.LoadAsync(stoppingToken).ConfigureAwait(false);
                    loaded = true;
                }

                await recorder.WritePendingAsync(stoppingToken).ConfigureAwait(false);
                var now = time.GetUtcNow();
                if (now - purgedAt >= PurgeEvery)
                {
                    var removed = await store.PurgeWorkspaceAsync(
                        now.AddDays(-o.FraudAlertRetentionDays), now.AddDays(-o.FraudAuditRetentionDays), now, stoppingToken).ConfigureAwait(false);
                    purgedAt = now;
                    if (removed > 0)
                    {
                        DashboardLog.WorkspacePurged(logger, removed);
                    }
                }

                Recovered();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Failed(ex);
            }
        }
        while (await Tick(timer, stoppingToken).ConfigureAwait(false));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await recorder.WritePendingAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Failed(ex);
        }
    }

    private static async ValueTask<bool> Tick(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Failed(Exception ex)
    {
        metrics?.RecordError("workspace_store");
        if (_failures++ == 0)
        {
            DashboardLog.WorkspaceStoreFailing(logger, ex.GetType().Name);
        }
    }

    private void Recovered()
    {
        if (_failures > 0)
        {
            DashboardLog.WorkspaceStoreRecovered(logger, _failures);
            _failures = 0;
        }
    }
}
