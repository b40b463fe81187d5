namespace NumoTelemetry.Dashboard.Aggregation;

/// <summary>
/// Bounds the distinct values of each dimension per UTC day (campaign names and referrers are chosen by
/// clients) and cuts long values, so the store cannot be flooded.
/// </summary>
internal sealed class ValueLimiter(int maxValuesPerDimension, int maxLength)
{
    /// <summary>Values one client may hold per dimension per day without a second client's evidence.</summary>
    public const int ClaimsPerClient = 8;

    private readonly Dictionary<string, HashSet<string>> _seen = new(StringComparer.Ordinal);
    private long _day = -1;

    public string Limit(string dimension, string value, long ticks)
    {
        var day = ticks / TimeSpan.TicksPerDay;
        if (day != _day)
        {
            foreach (var set in _seen.Values)
            {
                set.Clear();
            }

            _day = day;
        }

        if (value.Length > maxLength)
        {
            value = value[..maxLength];
        }

        if (!_seen.TryGetValue(dimension, out var values))
        {
            values = new HashSet<string>(StringComparer.Ordinal);
            _seen[dimension] = values;
        }

        if (values.Contains(value))
        {
            return value;
        }

        if (values.Count >= maxValuesPerDimension)
        {
            return DashboardDimensions.Other;
        }

        values.Add(value);
        return value;
    }
}
