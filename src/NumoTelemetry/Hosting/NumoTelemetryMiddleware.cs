using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Capture;
using NumoTelemetry.Fraud;
using NumoTelemetry.Internal;
using NumoTelemetry.Metrics;
using NumoTelemetry.Records;

namespace NumoTelemetry.Hosting;

/// <summary>
/// The middleware that sees every request. Request thread: no locks, no LINQ, no copies, no per-request heap
/// allocation in steady state. Telemetry failing never fails the request: every step of ours is
/// guarded, counted and skipped on error; the site's own exceptions pass through untouched.
/// </summary>
internal sealed class NumoTelemetryMiddleware
{
    private readonly RequestDelegate _next;
    private readonly RequestReader _reader = null!;
    private readonly RecordQueue _queue = null!;
    private readonly NumoTelemetryMetrics _metrics = null!;
    private readonly EnforcementOptions _enforcement = null!;
    private readonly BlockedResponse _blocked = null!;
    private readonly ILogger _logger = null!;
    private readonly bool _enabled;

    /// <summary>
    /// Resolves the capture services only when NumoTelemetry is enabled: with <c>Enabled: false</c>
    /// options are not validated (no key needed), so nothing that needs a key may be built.
    /// </summary>
    public NumoTelemetryMiddleware(RequestDelegate next, IOptions<NumoTelemetryOptions> options, IServiceProvider services)
    {
        _next = next;
        _enabled = options.Value.Enabled;
        if (!_enabled)
        {
            return;
        }

        _reader = services.GetRequiredService<RequestReader>();
        _queue = services.GetRequiredService<RecordQueue>();
        _metrics = services.GetRequiredService<NumoTelemetryMetrics>();
        _logger = services.GetRequiredService<ILogger<NumoTelemetryMiddleware>>();
        _enforcement = options.Value.Enforcement;
        _blocked = new BlockedResponse(_enforcement, _metrics, _logger);
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (!_enabled)
        {
            return _next(context);
        }

        var feature = _queue.Rent();
        try
        {
            // Not an HttpContext feature: setting one would invalidate the context's cached features, fetched again by
            // us and everything downstream (see RunningRequests).
            RunningRequests.Add(context, feature);
            _reader.Begin(context, feature);
            if (_enforcement.Mode != EnforcementMode.Monitor)
            {
                feature.EnsureCaptured(); // enforcement acts on the risk: finish the capture now
            }
        }
        catch (Exception ex)
        {
            RunningRequests.Remove(feature);
            _queue.Return(feature);
            _metrics.RecordError("capture");
            Log.CaptureFailed(_logger, ex.GetType().Name);
            return _next(context);
        }

        if (_enforcement.Mode != EnforcementMode.Monitor && feature.Record.Risk.Band >= _enforcement.MinimumBand && feature.Record.Risk.Band != RiskBand.None)
        {
            return EnforceAsync(context, feature);
        }

        Task task;
        try
        {
            task = _next(context);
        }
        catch
        {
            Finish(context, feature, failed: true);
            throw;
        }

        if (task.IsCompletedSuccessfully)
        {
            Finish(context, feature, failed: false);
            return Task.CompletedTask;
        }

        return AwaitAsync(task, context, feature);
    }

    private async Task AwaitAsync(Task task, HttpContext context, NumoRequestFeature feature)
    {
        var failed = true;
        try
        {
            await task;
            failed = false;
        }
        finally
        {
            Finish(context, feature, failed);
        }
    }

    private async Task EnforceAsync(HttpContext context, NumoRequestFeature feature)
    {
        var handled = false;
        var failed = true;
        try
        {
            if (_enforcement.Mode == EnforcementMode.Block)
            {
                handled = true;
                await _blocked.WriteAsync(context, feature.Record.Risk);
            }
            else if (_enforcement.Challenge is { } challenge)
            {
                handled = await challenge(context, feature.Record.Risk);
            }

            feature.Record.Enforced = handled;
            if (!handled)
            {
                await _next(context);
            }

            failed = false;
        }
        finally
        {
            Finish(context, feature, failed);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Finish(HttpContext context, NumoRequestFeature feature, bool failed)
    {
        // Disowned: from here on the signals API and GetNumoRisk ignore it (NumoRequestFeature.Of).
        RunningRequests.Remove(feature);
        var enqueued = false;
        try
        {
            _reader.Complete(context, feature, failed);
            enqueued = _queue.Submit(feature); // measures the request; from here on the pipeline owns the feature
        }
        catch (Exception ex)
        {
            _metrics.RecordError("complete");
            _metrics.RecordDropped("error");
            Log.CaptureFailed(_logger, ex.GetType().Name);
        }
        finally
        {
            if (!enqueued)
            {
                _queue.Return(feature);
            }
        }
    }
}
