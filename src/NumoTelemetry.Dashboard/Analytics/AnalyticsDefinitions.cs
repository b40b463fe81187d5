using NumoTelemetry.Privacy;

namespace NumoTelemetry.Dashboard.Analytics;

/// <summary>The configured goals and funnels, parsed once: what the processor matches records against and the query answers.</summary>
internal sealed class AnalyticsDefinitions
{
    /// <summary>The event name of a sign-up (<c>NumoSignals().SignUp</c>).</summary>
    public const string SignUpEvent = "signup";

    /// <summary>The event name of a successful login (<c>NumoSignals().LoginSucceeded</c>).</summary>
    public const string LoginEvent = "login";

    public AnalyticsDefinitions(DashboardOptions options)
    {
        var goals = new List<Goal>();
        foreach (var goal in options.Goals)
        {
            if (!string.IsNullOrWhiteSpace(goal.Name))
            {
                goals.Add(new Goal(goal.Name.Trim(), string.IsNullOrWhiteSpace(goal.Path) ? null : goal.Path.Trim(), string.IsNullOrWhiteSpace(goal.Event) ? null : goal.Event.Trim()));
            }
        }

        Goals = goals;
        var funnels = new List<Funnel>();
        foreach (var funnel in options.Funnels)
        {
            var steps = new List<Step>();
            foreach (var text in funnel.Steps)
            {
                if (Step.TryParse(text, out var step))
                {
                    steps.Add(step);
                }
            }

            funnels.Add(new Funnel(funnel.Name.Trim(), string.Equals(funnel.Within, "day", StringComparison.OrdinalIgnoreCase), [.. steps]));
        }

        Funnels = funnels;
    }

    public IReadOnlyList<Goal> Goals { get; }

    public IReadOnlyList<Funnel> Funnels { get; }

    /// <summary>Whether <paramref name="text"/> matches <paramref name="pattern"/>, where <c>*</c> matches any characters.</summary>
    public static bool Matches(string pattern, string? text)
    {
        if (text is null)
        {
            return false;
        }

        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return string.Equals(pattern, text, StringComparison.Ordinal);
        }

        // Greedy wildcard match with backtracking to the last star.
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] != '*' && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>The first configured funnel whose steps start with <paramref name="steps"/>, or <see langword="null"/>.</summary>
    public Funnel? Find(IReadOnlyList<Step> steps, bool? withinDay)
    {
        foreach (var funnel in Funnels)
        {
            if (steps.Count == 0 || steps.Count > funnel.Steps.Length || (withinDay is { } day && day != funnel.WithinDay))
            {
                continue;
            }

            var same = true;
            for (var i = 0; i < steps.Count && same; i++)
            {
                same = steps[i] == funnel.Steps[i];
            }

            if (same)
            {
                return funnel;
            }
        }

        return null;
    }

    /// <summary>An event name as the dashboard keeps it: through the core's free-text scrubber, or <see langword="null"/> when empty.</summary>
    public static string? EventName(string? name) => string.IsNullOrWhiteSpace(name) ? null : FreeTextScrubber.Scrub(name.Trim());

    /// <summary>The prefix of a page step and path item.</summary>
    public const string PagePrefix = "page:";

    /// <summary>The prefix of a goal step and path item.</summary>
    public const string GoalPrefix = "goal:";

    /// <summary>The prefix of an event step and path item.</summary>
    public const string EventPrefix = "event:";

    /// <summary>A configured goal.</summary>
    internal sealed record Goal(string Name, string? Path, string? Event);

    /// <summary>A configured funnel.</summary>
    internal sealed record Funnel(string Name, bool WithinDay, Step[] Steps);

    /// <summary>One funnel step: a page (path or route template), a goal or an event.</summary>
    internal readonly record struct Step(StepKind Kind, string Value)
    {
        public override string ToString() => Kind switch
        {
            StepKind.Page => PagePrefix + Value,
            StepKind.Goal => GoalPrefix + Value,
            _ => EventPrefix + Value,
        };

        /// <summary>Whether a path item (<c>page:label</c>, <c>goal:name</c>, <c>event:name</c>) reaches this step.</summary>
        public bool MatchesItem(ReadOnlySpan<char> item) => Kind switch
        {
            StepKind.Page => item.StartsWith(PagePrefix, StringComparison.Ordinal) && Matches(Value, item[PagePrefix.Length..].ToString()),
            StepKind.Goal => item.StartsWith(GoalPrefix, StringComparison.Ordinal) && item[GoalPrefix.Length..].SequenceEqual(Value),
            _ => item.StartsWith(EventPrefix, StringComparison.Ordinal) && item[EventPrefix.Length..].SequenceEqual(Value),
        };

        public static bool TryParse(string? text, out Step step)
        {
            step = default;
            if (string.IsNullOrWhiteSpace(text))
            {
                return false;
            }

            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || colon == text.Length - 1)
            {
                return false;
            }

            var value = text[(colon + 1)..].Trim();
            switch (text[..colon].Trim().ToLowerInvariant())
            {
                case "page" when value.StartsWith('/'):
                    step = new Step(StepKind.Page, value);
                    return true;
                case "goal":
                    step = new Step(StepKind.Goal, value);
                    return true;
                case "event":
                    step = new Step(StepKind.Event, value);
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>What a funnel step matches.</summary>
    internal enum StepKind
    {
        Page,
        Goal,
        Event,
    }
}
