namespace NumoTelemetry.Dashboard.Aggregation;

/// <summary>
/// Follows visits of the current UTC day in memory, keyed by a hash of the analytics visitor and session
/// pseudonyms (daily-rotating, so unlinkable across days). Nothing of it is persisted: a restart closes the
/// visits in progress (their exit pages are not counted).
/// </summary>
/// <remarks>
/// A visit remembers its last page (the label the dashboard counted, never a path not admitted), the minute of its
/// last view, its day-hashed pseudonyms and its progress through the configured funnels. When a visit ends (idle
/// beyond the timeout, the day changes, or the tracker overflows) it is handed to <see cref="Closed"/> so its exit
/// page can be counted in the minute of its last view.
/// </remarks>
internal sealed class VisitTracker(TimeSpan timeout, int maxTracked)
{
    private readonly Dictionary<ulong, Visit> _visits = [];
    private readonly long _timeoutTicks = timeout.Ticks;
    private long _day = -1;
    private long _lastSweepTicks;

    public int Count => _visits.Count;

    /// <summary>How many times the tracker went over its bound and made room (each a search of every visit).</summary>
    internal long Overflows { get; private set; }

    /// <summary>Visits that ended since the processor last took them (their exit pages are still to be counted).</summary>
    public List<ClosedVisit> Closed { get; } = [];

    /// <summary>Records a page view; tells whether it started a visit, made a visit engaged, and the time since the previous view.</summary>
    public void PageView(ulong key, long ticks, out bool started, out bool engaged, out long gapMilliseconds) =>
        PageView(key, ticks, null, default, out started, out engaged, out gapMilliseconds);

    /// <summary>Records a page view with the page counted and the subject, for exit pages.</summary>
    public void PageView(ulong key, long ticks, string? page, in VisitSubject subject, out bool started, out bool engaged, out long gapMilliseconds) =>
        PageView(key, ticks, page, in subject, out started, out engaged, out gapMilliseconds, out _);

    /// <summary>Records a page view with the page counted and the subject; tells the visit's entry page.</summary>
    // Long because: one visit's state moved by one page view (day change, timeout, entry, engagement, exit) under one lookup.
    public void PageView(ulong key, long ticks, string? page, in VisitSubject subject, out bool started, out bool engaged, out long gapMilliseconds, out string? entryPage)
    {
        var day = ticks / TimeSpan.TicksPerDay;
        if (day != _day)
        {
            CloseAll(); // analytics pseudonyms rotate daily: yesterday's visits cannot continue
            _day = day;
        }

        if (ticks - _lastSweepTicks > TimeSpan.TicksPerMinute)
        {
            Sweep(ticks);
        }

        started = false;
        engaged = false;
        gapMilliseconds = 0;
        var minute = ticks - (ticks % TimeSpan.TicksPerMinute);
        ref var visit = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_visits, key, out var exists);
        if (exists && ticks - visit.LastTicks <= _timeoutTicks)
        {
            gapMilliseconds = Math.Max(0, ticks - visit.LastTicks) / TimeSpan.TicksPerMillisecond;
            engaged = visit.Views == 1;
            visit.Views++;
            if (ticks >= visit.LastTicks)
            {
                visit.LastTicks = ticks;
                visit.LastMinute = minute;
                visit.LastPage = page ?? visit.LastPage;
            }

            entryPage = visit.EntryPage;
            return;
        }

        if (exists)
        {
            Close(visit); // timed out without a sweep in between
        }

        started = true;
        visit.Views = 1;
        visit.LastTicks = ticks;
        visit.LastMinute = minute;
        visit.LastPage = page;
        visit.EntryPage = page;
        visit.LastKey = null;
        visit.Source = default;
        visit.Path = null;
        visit.PathItems = 0;
        visit.Subject = subject;
        visit.Progress = null;
        entryPage = page;
        if (_visits.Count > maxTracked)
        {
            Overflow(ticks);
        }
    }

    /// <summary>
    /// The funnel progress of the visit of <paramref name="key"/> when it is open at <paramref name="ticks"/> (created on
    /// first use with <paramref name="funnels"/> entries), else <see langword="null"/>.
    /// </summary>
    public int[]? Progress(ulong key, long ticks, int funnels)
    {
        ref var visit = ref Open(key, ticks);
        return System.Runtime.CompilerServices.Unsafe.IsNullRef(ref visit) ? null : visit.Progress ??= new int[funnels];
    }

    /// <summary>The entry page of the visit of <paramref name="key"/> when it is open at <paramref name="ticks"/>, else <see langword="null"/>.</summary>
    public string? EntryPage(ulong key, long ticks)
    {
        ref var visit = ref Open(key, ticks);
        return System.Runtime.CompilerServices.Unsafe.IsNullRef(ref visit) ? null : visit.EntryPage;
    }

    /// <summary>The source (referrer and UTM) the open visit of <paramref name="key"/> came from, when it has one.</summary>
    public bool TryGetSource(ulong key, long ticks, out VisitSource source)
    {
        ref var visit = ref Open(key, ticks);
        source = System.Runtime.CompilerServices.Unsafe.IsNullRef(ref visit) ? default : visit.Source;
        return source.Referrer is not null;
    }

    /// <summary>Remembers the source of the open visit of <paramref name="key"/> (from its entry view).</summary>
    public void SetSource(ulong key, long ticks, in VisitSource source)
    {
        ref var visit = ref Open(key, ticks);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref visit))
        {
            visit.Source = source;
        }
    }

    /// <summary>Remembers the cube key of the visit's last view (its exit is counted under it).</summary>
    public void SetLastKey(ulong key, long ticks, string cubeKey)
    {
        ref var visit = ref Open(key, ticks);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref visit))
        {
            visit.LastKey = cubeKey;
        }
    }

    /// <summary>
    /// Adds <paramref name="item"/> to the distinct items of the open visit of <paramref name="key"/> (at most
    /// <paramref name="maxItems"/>); returns the visit's path when it grew, else <see langword="null"/>.
    /// </summary>
    public string? ExtendPath(ulong key, long ticks, string item, int maxItems)
    {
        ref var visit = ref Open(key, ticks);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref visit))
        {
            return null;
        }

        return PathItems.Extend(ref visit.Path, ref visit.PathItems, item, maxItems);
    }

    private ref Visit Open(ulong key, long ticks)
    {
        if (ticks / TimeSpan.TicksPerDay != _day)
        {
            return ref System.Runtime.CompilerServices.Unsafe.NullRef<Visit>();
        }

        ref var visit = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_visits, key);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref visit) || ticks - visit.LastTicks > _timeoutTicks)
        {
            return ref System.Runtime.CompilerServices.Unsafe.NullRef<Visit>();
        }

        return ref visit;
    }

    /// <summary>Ends the visits idle beyond the timeout at <paramref name="ticks"/> (on the processor's write cadence).</summary>
    public void SweepIdle(long ticks)
    {
        if (_day >= 0 && ticks / TimeSpan.TicksPerDay != _day)
        {
            CloseAll();
            return;
        }

        Sweep(ticks);
    }

    private void Sweep(long ticks)
    {
        _lastSweepTicks = ticks;
        var cutoff = ticks - _timeoutTicks;
        foreach (var pair in _visits)
        {
            if (pair.Value.LastTicks < cutoff)
            {
                Close(pair.Value);
                _visits.Remove(pair.Key);
            }
        }
    }

    /// <summary>
    /// Beyond the bound: ends the idle visits, then the oldest until an eighth of the bound is free. Each overflow makes room
    /// for many new visits, so a stream of new visitors costs one search of the visits per eighth of the bound, not one per
    /// visit (a sweep that freed a single idle visit left the tracker full again at the next new visit).
    /// </summary>
    private void Overflow(long ticks)
    {
        Overflows++;
        Sweep(ticks);
        var keep = maxTracked - Math.Max(1, maxTracked / 8);
        var excess = _visits.Count - keep;
        if (excess <= 0)
        {
            return;
        }

        var lasts = System.Buffers.ArrayPool<long>.Shared.Rent(_visits.Count);
        var n = 0;
        foreach (var pair in _visits)
        {
            lasts[n++] = pair.Value.LastTicks;
        }

        Array.Sort(lasts, 0, n);
        var cutoff = lasts[excess - 1];
        System.Buffers.ArrayPool<long>.Shared.Return(lasts);
        foreach (var pair in _visits)
        {
            if (pair.Value.LastTicks <= cutoff)
            {
                Close(pair.Value);
                _visits.Remove(pair.Key);
            }
        }
    }

    /// <summary>Ends every visit (at the day's end).</summary>
    public void CloseAll()
    {
        foreach (var pair in _visits)
        {
            Close(pair.Value);
        }

        _visits.Clear();
    }

    private void Close(in Visit visit)
    {
        if (visit.LastPage is { } page)
        {
            Closed.Add(new ClosedVisit(visit.LastMinute, page, visit.Subject, visit.LastKey));
        }
    }

    private struct Visit
    {
        public long LastTicks;
        public long LastMinute;
        public int Views;
        public string? LastPage;
        public string? EntryPage;
        public string? LastKey;
        public VisitSource Source;
        public string? Path;
        public int PathItems;
        public VisitSubject Subject;
        public int[]? Progress;
    }
}

/// <summary>The day-hashed pseudonyms of a visit (what its cells' sketches get).</summary>
internal readonly record struct VisitSubject(bool HasVisitor, ulong Visitor, bool HasSubject, ulong Subject);

/// <summary>Where a visit came from: its entry view's referrer and UTM values (as counted).</summary>
internal readonly record struct VisitSource(string? Referrer, string UtmSource, string UtmMedium, string UtmCampaign);

/// <summary>A visit that ended: the minute of its last view, the page it left from and the cube key of that view.</summary>
internal readonly record struct ClosedVisit(long Minute, string ExitPage, VisitSubject Subject, string? LastKey = null);

/// <summary>Paths of distinct funnel items (<c>page:…</c>, <c>goal:…</c>, <c>event:…</c>) in first-reached order, joined by U+001F.</summary>
internal static class PathItems
{
    /// <summary>Appends <paramref name="item"/> when the path does not hold it and has room; returns the new path, else <see langword="null"/>.</summary>
    public static string? Extend(ref string? path, ref int items, string item, int maxItems)
    {
        if (items >= maxItems || (path is not null && CubeKeyBuilder.HasItem(path, item)))
        {
            return null;
        }

        path = path is null ? item : string.Concat(path, DashboardDimensions.CubeSeparator.ToString(), item);
        items++;
        return path;
    }
}
