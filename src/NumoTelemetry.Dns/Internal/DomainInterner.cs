using System.Collections.Concurrent;

namespace NumoTelemetry.Dns;

/// <summary>Shares one string instance per registrable domain (a low-cardinality set), bounded.</summary>
internal static class DomainInterner
{
    private const int MaxEntries = 50_000;
    private static readonly ConcurrentDictionary<string, string> s_domains = new(StringComparer.Ordinal);

    public static string? Intern(string? domain)
    {
        if (domain is null)
        {
            return null;
        }

        if (s_domains.TryGetValue(domain, out var shared))
        {
            return shared;
        }

        return s_domains.Count < MaxEntries ? s_domains.GetOrAdd(domain, domain) : domain;
    }
}
