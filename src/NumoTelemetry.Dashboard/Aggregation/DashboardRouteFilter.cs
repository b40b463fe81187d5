namespace NumoTelemetry.Dashboard.Aggregation;

/// <summary>Route template prefixes that are not counted; <c>MapNumoTelemetryDashboard</c> adds its own prefix.</summary>
internal sealed class DashboardRouteFilter
{
    private readonly Lock _lock = new();
    private volatile string[] _prefixes;

    public DashboardRouteFilter(IEnumerable<string> prefixes)
    {
        _prefixes = [.. prefixes];
    }

    public void Add(string prefix)
    {
        lock (_lock)
        {
            _prefixes = [.. _prefixes, prefix];
        }
    }

    public bool IsExcluded(string? route)
    {
        if (string.IsNullOrEmpty(route))
        {
            return false;
        }

        var prefixes = _prefixes;
        for (var i = 0; i < prefixes.Length; i++)
        {
            var prefix = prefixes[i];
            if (route.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                && (route.Length == prefix.Length || route[prefix.Length] == '/' || prefix.EndsWith('/')))
            {
                return true;
            }
        }

        return false;
    }
}
