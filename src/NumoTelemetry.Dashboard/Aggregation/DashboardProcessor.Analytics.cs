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
    private long _progressDay = -1;

    /// <summary>Real paths waiting for k people today (for tests).</summary>
    internal int PathCandidates => _paths.CandidateCount;

    /// <summary>Counts the record's events (custom signals, sign-ups, logins) and the event goals they reach.</summary>
    private void FoldEvents(in RequestRecord r, long minute, long ticks, in VisitSubject subjects, bool hasVisitor, ulong rawVisitor, ulong visitKey)
    {
        _hitGoals.Clear();
        _hitEvents.Clear();
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

            _hitEvents.Add(name);
            AddAnalytics(minute, DashboardDimensions.Event, Limit(DashboardDimensions.Event, name, ticks), in subjects);
            var goals = _analytics.Goals;
            for (var g = 0; g < goals.Count; g++)
            {
                if (goals[g].Event is { } goalEvent && string.Equals(goalEvent, name, StringComparison.Ordinal))
                {
                    _hitGoals.Add(goals[g].Name);
                    AddAnalytics(minute, DashboardDimensions.Goal, goals[g].Name, in subjects);
                }
            }
        }
    }

    /// <summary>Counts a page view under its page label and the path goals it reaches; returns the label.</summary>
    private string FoldPage(in RequestRecord r, long minute, long ticks, in VisitSubject subjects)
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
        AddAnalytics(minute, DashboardDimensions.Page, label, in subjects);
        var goals = _analytics.Goals;
        for (var g = 0; g < goals.Count; g++)
        {
            if (goals[g].Path is { } pattern && (AnalyticsDefinitions.Matches(pattern, route) || AnalyticsDefinitions.Matches(pattern, path)))
            {
                _hitGoals.Add(goals[g].Name);
                AddAnalytics(minute, DashboardDimensions.Goal, goals[g].Name, in subjects);
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

    /// <summary>Counts the exit pages of the visits that ended, each in the minute of its last view.</summary>
    private void FoldExits()
    {
        var closed = _visits.Closed;
        for (var i = 0; i < closed.Count; i++)
        {
            var visit = closed[i];
            AddAnalytics(visit.Minute, DashboardDimensions.ExitPage, visit.ExitPage, visit.Subject);
        }

        closed.Clear();
    }

    private void AddAnalytics(long minute, string dimension, string value, in VisitSubject subjects)
    {
        var cell = Cell(new CellKey(minute, dimension, value, string.Empty, string.Empty, string.Empty));
        cell.Requests++;
        cell.PageViews++;
        AddSubjects(cell, subjects.HasVisitor, subjects.Visitor, subjects.HasSubject, subjects.Subject);
    }
}
