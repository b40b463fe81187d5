using NumoTelemetry.Dashboard.Analytics;
using NumoTelemetry.Privacy;

namespace NumoTelemetry.Dashboard;

/// <summary>Start-up checks of the goals, funnels, time zone and sign-out path; every message names the setting.</summary>
internal static class AnalyticsOptionsValidation
{
    private const string Prefix = "NumoTelemetry:Dashboard:";
    private const int MaxGoals = 100;
    private const int MaxFunnels = 20;

    // Long because: a flat list of setting checks, each adding its own NumoTelemetry:Dashboard message.
    public static void Validate(DashboardOptions options, List<string> failures)
    {
        var goals = new HashSet<string>(StringComparer.Ordinal);
        if (options.Goals.Count > MaxGoals)
        {
            failures.Add($"{Prefix}Goals may list at most {MaxGoals} goals; it lists {options.Goals.Count}.");
        }

        for (var i = 0; i < options.Goals.Count; i++)
        {
            var goal = options.Goals[i];
            var at = $"{Prefix}Goals:{i}";
            if (string.IsNullOrWhiteSpace(goal.Name) || !PassesScrubber(goal.Name))
            {
                failures.Add($"{at}:Name must be a short name (at most 64 characters, no e-mail address, number or token); it was '{Cut(goal.Name)}'.");
            }
            else if (!goals.Add(goal.Name.Trim()))
            {
                failures.Add($"{at}:Name '{Cut(goal.Name)}' is used by another goal.");
            }

            var hasPath = !string.IsNullOrWhiteSpace(goal.Path);
            var hasEvent = !string.IsNullOrWhiteSpace(goal.Event);
            if (hasPath == hasEvent)
            {
                failures.Add($"{at} must set exactly one of Path (a page path, route template or pattern with *) and Event (a custom event name, signup or login).");
            }
            else if (hasPath && !goal.Path!.Trim().StartsWith('/'))
            {
                failures.Add($"{at}:Path must start with '/'; it was '{Cut(goal.Path)}'.");
            }
            else if (hasEvent && !PassesScrubber(goal.Event!))
            {
                failures.Add($"{at}:Event must be a short event name that passes the free-text scrubber; it was '{Cut(goal.Event)}'.");
            }
        }

        if (options.Funnels.Count > MaxFunnels)
        {
            failures.Add($"{Prefix}Funnels may list at most {MaxFunnels} funnels; it lists {options.Funnels.Count}.");
        }

        var funnels = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Funnels.Count; i++)
        {
            var funnel = options.Funnels[i];
            var at = $"{Prefix}Funnels:{i}";
            if (string.IsNullOrWhiteSpace(funnel.Name) || !PassesScrubber(funnel.Name))
            {
                failures.Add($"{at}:Name must be a short name that passes the free-text scrubber; it was '{Cut(funnel.Name)}'.");
            }
            else if (!funnels.Add(funnel.Name.Trim()))
            {
                failures.Add($"{at}:Name '{Cut(funnel.Name)}' is used by another funnel.");
            }

            if (funnel.Steps.Count is < 2 or > 8)
            {
                failures.Add($"{at}:Steps must list 2 to 8 steps; it lists {funnel.Steps.Count}.");
            }

            for (var s = 0; s < funnel.Steps.Count; s++)
            {
                if (!AnalyticsDefinitions.Step.TryParse(funnel.Steps[s], out var step))
                {
                    failures.Add($"{at}:Steps:{s} must be page:/path, goal:Name or event:name; it was '{Cut(funnel.Steps[s])}'.");
                }
                else if (step.Kind == AnalyticsDefinitions.StepKind.Goal && !goals.Contains(step.Value))
                {
                    failures.Add($"{at}:Steps:{s} names the goal '{Cut(step.Value)}', which is not in {Prefix}Goals.");
                }
            }

            if (funnel.Within is not ("visit" or "day"))
            {
                failures.Add($"{at}:Within must be visit or day; it was '{Cut(funnel.Within)}'.");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.TimeZone))
        {
            try
            {
                TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
            }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                failures.Add($"{Prefix}TimeZone must be a time zone id (for example Europe/Berlin or UTC); '{Cut(options.TimeZone)}' is not known here.");
            }
        }

        if (options.SignOutPath is { } signOut && (!signOut.StartsWith('/') || signOut.StartsWith("//", StringComparison.Ordinal)))
        {
            failures.Add($"{Prefix}SignOutPath must be a path of this site starting with '/'; it was '{Cut(signOut)}'.");
        }
    }

    private static bool PassesScrubber(string value) =>
        value.Trim().Length is > 0 and <= FreeTextScrubber.MaxLength && !FreeTextScrubber.IsSensitive(value.Trim());

    private static string Cut(string? value) => value is null ? string.Empty : value.Length > 80 ? value[..80] : value;
}
