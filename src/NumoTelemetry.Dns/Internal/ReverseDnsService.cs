using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace NumoTelemetry.Dns;

/// <summary>
/// The background resolver: <see cref="DnsOptions.MaxConcurrency"/> workers drain the queue, resolve with
/// forward confirmation under the per-second budget and a per-address deadline, and cache the verdict by pseudonym
/// with the TTL of its kind.
/// </summary>
internal sealed class ReverseDnsService(
    ReverseDnsQueue queue,
    ReverseDnsCache cache,
    ForwardConfirmedResolver resolver,
    DnsOptions options,
    CrawlerTable crawlers,
    TimeProvider time,
    ILogger<ReverseDnsService> logger,
    DnsMetrics? metrics = null) : BackgroundService
{
    private readonly TimeSpan _deadline = (options.Timeout * Math.Max(1, options.Retries + 1) * (1 + Math.Max(1, options.MaxPtrNames))) + TimeSpan.FromSeconds(2);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return Task.CompletedTask;
        }

        Log.Started(logger, crawlers.Count, options.NameServers.Length, options.NameServers.Length == 0 ? "system" : "configured", options.MaxConcurrency, options.QueriesPerSecond);
        var workers = new Task[Math.Max(1, options.MaxConcurrency)];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(() => WorkAsync(stoppingToken), CancellationToken.None);
        }

        return Task.WhenAll(workers);
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        var reader = queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    await ProcessAsync(item, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal async Task ProcessAsync(ReverseDnsWorkItem item, CancellationToken stoppingToken)
    {
        var address = item.Address.ToIPAddress();
        if (address is null)
        {
            return;
        }

        ReverseDnsVerdict verdict;
        using (var timeout = new CancellationTokenSource(_deadline, time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token))
        {
            try
            {
                verdict = await resolver.ResolveAsync(address, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException)
            {
                verdict = ReverseDnsVerdict.Failed;
            }
            catch (Exception ex)
            {
                Log.ResolutionFailed(logger, ex.GetType().Name);
                verdict = ReverseDnsVerdict.Failed;
            }
        }

        var ttl = verdict.Status switch
        {
            ReverseDnsStatus.Confirmed => options.PositiveTtl,
            ReverseDnsStatus.NotConfirmed or ReverseDnsStatus.NoName => options.NegativeTtl,
            _ => options.FailureTtl,
        };
        cache.Set(item.Ip, verdict, (time.GetUtcNow() + ttl).UtcTicks);
        metrics?.Resolved(verdict.Status);
    }
}
