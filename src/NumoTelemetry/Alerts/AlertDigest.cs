namespace NumoTelemetry.Alerts;

/// <summary>The alerts of one digest period: the first few in full, all of them counted by rule.</summary>
internal sealed class AlertDigest
{
    public AlertDigest(IReadOnlyList<FraudAlert> items, IReadOnlyList<KeyValuePair<string, int>> byRule, int total, TimeSpan interval)
    {
        Items = items;
        ByRule = byRule;
        Total = total;
        Interval = interval;
    }

    public IReadOnlyList<FraudAlert> Items { get; }

    /// <summary>Alert count per rule, most first.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> ByRule { get; }

    public int Total { get; }

    public TimeSpan Interval { get; }

    /// <summary>"1 h", "15 min", "30 s".</summary>
    public string IntervalText => Interval.TotalHours >= 1 && Interval.TotalHours == Math.Floor(Interval.TotalHours)
        ? $"{Interval.TotalHours:0} h"
        : Interval.TotalMinutes >= 1 ? $"{Interval.TotalMinutes:0} min" : $"{Interval.TotalSeconds:0} s";
}
