using NumoTelemetry.Records;
using NumoTelemetry.Dashboard.Analytics;
using NumoTelemetry.Privacy;

namespace NumoTelemetry.Dashboard.Aggregation;

/// <summary>
/// Goals, events, pages as visited, entry and exit pages, and funnel steps. Events and goals count every request that
/// raised them; pages count page views under the route template, or under the real path once the path has been
/// visited by k people that day (<see cref="PathAdmission"/>); funnel steps count the people who passed them in order.
/// </summary>
internal sealed partial class DashboardProcessor
{
    private readonly AnalyticsDefinitions _analytics;
    private readonly PathAdmission _paths;
    private readonly List<string> _hitGoals = [];
    private readonly List<string> _hitEvents = [];
    private readonly Dictionary<ulong, int[]> _dayProgress = [];
    private readonly Dictionary<ulong, (string? Path, int Items)> _dayPaths = [];
    private readonly CubeKeyBuilder _keys = new();
    private readonly Dictionary<string, string> _pageItems = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _goalItems = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _eventItems = new(StringComparer.Ordinal);
    private long _progressDay = -1;
    private long _pathDay = -1;

    /// <summary>Distinct items a visit's or a visitor's day path keeps (and so the most steps an ad-hoc funnel has).</summary>
    internal const int MaxPathItems = 8;

    /// <summary>Real paths waiting for k people today (for tests).</summary>
    internal int PathCandidates => _paths.CandidateCount;

    /// <summary>Collects the record's events (custom signals, sign-ups, logins) and the event goals they reach.</summary>
    private void FoldEvents(in RequestRecord r, long ticks)
    {
        var signals = r.Signals;
        for (var i = 0; i < signals.Length; i++)
        {
            var name = signals[i].Kind switch
            {
                SignalKind.Custom => AnalyticsDefinitions.EventName(signals[i].Name),
                SignalKind.SignUp => AnalyticsDefinitions.SignUpEvent,
                SignalKind.LoginSucceeded => AnalyticsDefinitions.LoginEvent,
                _ => null,
            };
            if (name is null || string.Equals(name, FreeTextScrubber.Redacted, StringComparison.Ordinal))
            {
                continue;
            }

            _hitEvents.Add(Limit(DashboardDimensions.Event, name, ticks));
            var goals = _analytics.Goals;
            for (var g = 0; g < goals.Count; g++)
            {
                if (goals[g].Event is { } goalEvent && string.Equals(goalEvent, name, StringComparison.Ordinal))
                {
                    _hitGoals.Add(goals[g].Name);
                }
            }
        }
    }

    /// <summary>The page label of a page view (collecting the path goals it reaches).</summary>
    private string FoldPage(in RequestRecord r, long ticks, in VisitSubject subjects)
    {
        var route = r.Route ?? "(unmatched)";
        var path = r.PagePath;
        var label = route;
        if (path is { Length: > 0 } && path[0] == '/' && !string.Equals(path, route, StringComparison.Ordinal)
            && _paths.Admit(path, ticks, subjects.HasSubject, subjects.Subject))
        {
            label = path;
        }

        label = Limit(DashboardDimensions.Page, label, ticks);
        var goals = _analytics.Goals;
        for (var g = 0; g < goals.Count; g++)
        {
            if (goals[g].Path is { } pattern && (AnalyticsDefinitions.Matches(pattern, route) || AnalyticsDefinitions.Matches(pattern, path)))
            {
                _hitGoals.Add(goals[g].Name);
            }
        }

        return label;
    }

    /// <summary>Moves the record forward in every configured funnel whose next step it matches.</summary>
    private void FoldFunnels(in RequestRecord r, bool isView, long minute, long ticks, in VisitSubject subjects, bool hasVisitor, ulong rawVisitor, ulong visitKey)
    {
        var funnels = _analytics.Funnels;
        if (funnels.Count == 0 || !hasVisitor || !subjects.HasVisitor)
        {
            return;
        }

        int[]? visitProgress = null;
        int[]? dayProgress = null;
        for (var f = 0; f < funnels.Count; f++)
        {
            var funnel = funnels[f];
            int[]? progress;
            if (funnel.WithinDay)
            {
                progress = dayProgress ??= DayProgress(rawVisitor, ticks, funnels.Count);
            }
            else
            {
                progress = visitProgress ??= _visits.Progress(visitKey, ticks, funnels.Count);
            }

            if (progress is null)
            {
                continue;
            }

            // One request may pass several steps in a row (a page that is also a goal).
            while (progress[f] < funnel.Steps.Length && StepMatches(funnel.Steps[progress[f]], in r, isView))
            {
                progress[f]++;
                AddAnalytics(minute, DashboardDimensions.Funnel, FunnelKey(funnel.Name, progress[f]), in subjects);
            }
        }
    }

    private int[] DayProgress(ulong rawVisitor, long ticks, int funnels)
    {
        var day = ticks / TimeSpan.TicksPerDay;
        if (day != _progressDay || _dayProgress.Count > _options.MaxTrackedVisits)
        {
            _dayProgress.Clear(); // pseudonyms rotate daily; bounded memory beats complete funnels under a flood
            _progressDay = day;
        }

        ref var progress = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_dayProgress, rawVisitor, out _);
        return progress ??= new int[funnels];
    }

    private bool StepMatches(AnalyticsDefinitions.Step step, in RequestRecord r, bool isView) => step.Kind switch
    {
        AnalyticsDefinitions.StepKind.Page => isView && (AnalyticsDefinitions.Matches(step.Value, r.Route) || AnalyticsDefinitions.Matches(step.Value, r.PagePath)),
        AnalyticsDefinitions.StepKind.Goal => _hitGoals.Contains(step.Value),
        _ => _hitEvents.Contains(step.Value),
    };

    /// <summary>The stored key of a funnel step: the funnel's name and the step's number (from 1).</summary>
    internal static string FunnelKey(string funnel, int step) =>
        funnel + DashboardDimensions.CubeSeparator + step.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Counts the exit pages of the visits that ended, each in the minute of its last view, under that view's cube key.</summary>
    private void FoldExits()
    {
        var closed = _visits.Closed;
        for (var i = 0; i < closed.Count; i++)
        {
            var visit = closed[i];
            if (visit.LastKey is { } lastKey)
            {
                AddAnalytics(visit.Minute, DashboardDimensions.ExitCube, _keys.Start().Value(visit.ExitPage).Key(lastKey).Build(), visit.Subject);
            }
        }

        closed.Clear();
    }

    /// <summary>Counts the goals and events the record reached under its cube key.</summary>
    private void FoldFacts(long minute, string cubeKey, in VisitSubject subjects)
    {
        for (var i = 0; i < _hitGoals.Count; i++)
        {
            AddAnalytics(minute, DashboardDimensions.GoalCube, _keys.Start().Value(_hitGoals[i]).Key(cubeKey).Build(), in subjects);
        }

        for (var i = 0; i < _hitEvents.Count; i++)
        {
            AddAnalytics(minute, DashboardDimensions.EventCube, _keys.Start().Value(_hitEvents[i]).Key(cubeKey).Build(), in subjects);
        }
    }

    /// <summary>
    /// Adds the record's funnel items (its page, goals and events) to its visit's and its visitor's day paths; each
    /// path that grew is counted once for the visitor, so a funnel over any steps can be read from the paths.
    /// </summary>
    private void FoldPaths(string? page, long minute, long ticks, in VisitSubject subjects, ulong rawVisitor, ulong visitKey)
    {
        if (!subjects.HasVisitor)
        {
            return;
        }

        if (page is not null)
        {
            AddPathItem(Item(AnalyticsDefinitions.PagePrefix, page), minute, ticks, in subjects, rawVisitor, visitKey);
        }

        for (var i = 0; i < _hitGoals.Count; i++)
        {
            AddPathItem(Item(AnalyticsDefinitions.GoalPrefix, _hitGoals[i]), minute, ticks, in subjects, rawVisitor, visitKey);
        }

        for (var i = 0; i < _hitEvents.Count; i++)
        {
            AddPathItem(Item(AnalyticsDefinitions.EventPrefix, _hitEvents[i]), minute, ticks, in subjects, rawVisitor, visitKey);
        }
    }

    /// <summary>A path item (prefix and value) from the ones made before, so a page seen before allocates nothing.</summary>
    private string Item(string prefix, string value)
    {
        var items = ReferenceEquals(prefix, AnalyticsDefinitions.PagePrefix) ? _pageItems
            : ReferenceEquals(prefix, AnalyticsDefinitions.GoalPrefix) ? _goalItems
            : _eventItems;
        if (items.TryGetValue(value, out var item))
        {
            return item;
        }

        if (items.Count >= CubeKeyBuilder.MaxInterned)
        {
            items.Clear();
        }

        item = prefix + value;
        items[value] = item;
        return item;
    }

    private void AddPathItem(string item, long minute, long ticks, in VisitSubject subjects, ulong rawVisitor, ulong visitKey)
    {
        var bytes = 0;
        foreach (var c in item)
        {
            bytes += c < 0x80 ? 1 : 3; // a surrogate pair counts 6: an upper bound
            if (char.IsControl(c) || bytes > CubeKeyBuilder.MaxItemBytes)
            {
                return; // a value that could end a path item early, or one too long for a stored key
            }
        }

        if (_visits.ExtendPath(visitKey, ticks, item, MaxPathItems) is { } visitPath)
        {
            AddAnalytics(minute, DashboardDimensions.VisitPath, visitPath, in subjects);
        }

        var day = ticks / TimeSpan.TicksPerDay;
        if (day != _pathDay || _dayPaths.Count > _options.MaxTrackedVisits)
        {
            _dayPaths.Clear(); // pseudonyms rotate daily; bounded memory beats complete funnels under a flood
            _pathDay = day;
        }

        ref var dayPath = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_dayPaths, rawVisitor, out _);
        if (PathItems.Extend(ref dayPath.Path, ref dayPath.Items, item, MaxPathItems) is { } grown)
        {
            AddAnalytics(minute, DashboardDimensions.DayPath, grown, in subjects);
        }
    }

    private void AddAnalytics(long minute, string dimension, string value, in VisitSubject subjects)
    {
        var cell = Cell(new CellKey(minute, dimension, value));
        cell.Requests++;
        cell.PageViews++;
        AddSubjects(cell, subjects.HasVisitor, subjects.Visitor, subjects.HasSubject, subjects.Subject);
    }
}
