namespace NumoTelemetry.Dashboard.Aggregation;

/// <summary>
/// Follows visits of the current UTC day in memory, keyed by a hash of the analytics visitor and session
/// pseudonyms (daily-rotating, so unlinkable across days). Nothing of it is persisted: a restart closes the
/// visits in progress.
/// </summary>
internal sealed class VisitTracker(TimeSpan timeout, int maxTracked)
{
    private readonly Dictionary<ulong, Visit> _visits = [];
    private readonly long _timeoutTicks = timeout.Ticks;
    private long _day = -1;
    private long _lastSweepTicks;

    public int Count => _visits.Count;

    /// <summary>Records a page view; tells whether it started a visit, made a visit engaged, and the time since the previous view.</summary>
    public void PageView(ulong key, long ticks, out bool started, out bool engaged, out long gapMilliseconds)
    {
        var day = ticks / TimeSpan.TicksPerDay;
        if (day != _day)
        {
            _visits.Clear(); // analytics pseudonyms rotate daily: yesterday's visits cannot continue
            _day = day;
        }

        if (ticks - _lastSweepTicks > TimeSpan.TicksPerMinute)
        {
            Sweep(ticks);
        }

        started = false;
        engaged = false;
        gapMilliseconds = 0;
        ref var visit = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_visits, key, out var exists);
        if (exists && ticks - visit.LastTicks <= _timeoutTicks)
        {
            gapMilliseconds = Math.Max(0, ticks - visit.LastTicks) / TimeSpan.TicksPerMillisecond;
            engaged = visit.Views == 1;
            visit.Views++;
            visit.LastTicks = Math.Max(visit.LastTicks, ticks);
            return;
        }

        started = true;
        visit.Views = 1;
        visit.LastTicks = ticks;
        if (_visits.Count > maxTracked)
        {
            Sweep(ticks);
            if (_visits.Count > maxTracked)
            {
                _visits.Clear(); // bounded memory beats exact bounce rates under a flood
            }
        }
    }

    private void Sweep(long ticks)
    {
        _lastSweepTicks = ticks;
        var cutoff = ticks - _timeoutTicks;
        foreach (var pair in _visits)
        {
            if (pair.Value.LastTicks < cutoff)
            {
                _visits.Remove(pair.Key);
            }
        }
    }

    private struct Visit
    {
        public long LastTicks;
        public int Views;
    }
}
