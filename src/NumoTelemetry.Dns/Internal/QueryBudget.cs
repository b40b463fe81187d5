namespace NumoTelemetry.Dns;

/// <summary>A per-second budget of DNS queries shared by all workers: over budget, a worker waits for the next second.</summary>
internal sealed class QueryBudget(int perSecond, TimeProvider time)
{
    private readonly Lock _gate = new();
    private long _second = long.MinValue;
    private int _used;

    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = time.GetUtcNow();
                var second = now.ToUnixTimeSeconds();
                if (second != _second)
                {
                    _second = second;
                    _used = 0;
                }

                if (_used < perSecond)
                {
                    _used++;
                    return;
                }

                wait = DateTimeOffset.FromUnixTimeSeconds(second + 1) - now;
            }

            await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
