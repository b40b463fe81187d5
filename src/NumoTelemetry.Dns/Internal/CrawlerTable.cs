using System.Runtime.CompilerServices;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Dns;

/// <summary>
/// The verifiable crawlers (at most 64): which one a parsed User-Agent claims, and which ones a forward-confirmed
/// name belongs to (as a bit mask). Claims are cached per shared <see cref="UserAgentInfo"/> instance, so the hot
/// path does a hash and a compare.
/// </summary>
internal sealed class CrawlerTable
{
    public const int MaxCrawlers = 64;

    private readonly string[] _names;
    private readonly (string Token, int Index)[] _tokens;
    private readonly (string Domain, int Index)[] _domains;
    private readonly ClaimEntry?[] _claims = new ClaimEntry?[1024];

    public CrawlerTable(IEnumerable<CrawlerRule> rules)
    {
        var byName = new Dictionary<string, CrawlerRule>(StringComparer.OrdinalIgnoreCase);
        var order = new List<string>();
        foreach (var rule in rules)
        {
            if (string.IsNullOrWhiteSpace(rule.Name))
            {
                continue;
            }

            if (!byName.ContainsKey(rule.Name))
            {
                order.Add(rule.Name);
            }

            byName[rule.Name] = rule;
        }

        if (order.Count > MaxCrawlers)
        {
            throw new ArgumentException($"At most {MaxCrawlers} crawlers can be verified.", nameof(rules));
        }

        _names = [.. order];
        var tokens = new List<(string, int)>();
        var domains = new List<(string, int)>();
        for (var i = 0; i < _names.Length; i++)
        {
            var rule = byName[_names[i]];
            foreach (var token in rule.UserAgentTokens ?? [])
            {
                if (!string.IsNullOrWhiteSpace(token))
                {
                    tokens.Add((token.Trim(), i));
                }
            }

            foreach (var domain in rule.Domains ?? [])
            {
                if (!string.IsNullOrWhiteSpace(domain))
                {
                    domains.Add((domain.Trim().TrimEnd('.').ToLowerInvariant(), i));
                }
            }
        }

        _tokens = [.. tokens];
        _domains = [.. domains];
    }

    /// <summary>Number of crawlers.</summary>
    public int Count => _names.Length;

    /// <summary>The name of crawler <paramref name="index"/>.</summary>
    public string Name(int index) => _names[index];

    /// <summary>The index of the crawler <paramref name="userAgent"/> claims to be, or -1.</summary>
    public int Match(UserAgentInfo? userAgent)
    {
        if (userAgent is null)
        {
            return -1;
        }

        var slot = RuntimeHelpers.GetHashCode(userAgent) & (_claims.Length - 1);
        var entry = Volatile.Read(ref _claims[slot]);
        if (entry is not null && ReferenceEquals(entry.UserAgent, userAgent))
        {
            return entry.Index;
        }

        var index = MatchText(userAgent.Bot.Name);
        if (index < 0)
        {
            index = MatchText(userAgent.Browser.Family);
        }

        Volatile.Write(ref _claims[slot], new ClaimEntry(userAgent, index));
        return index;
    }

    /// <summary>The index of the crawler whose token occurs in <paramref name="text"/> (a bot name, browser family or raw User-Agent), or -1.</summary>
    public int MatchText(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return -1;
        }

        var tokens = _tokens;
        for (var i = 0; i < tokens.Length; i++)
        {
            if (text.Contains(tokens[i].Token, StringComparison.OrdinalIgnoreCase))
            {
                return tokens[i].Index;
            }
        }

        return -1;
    }

    /// <summary>A bit per crawler whose documented domains contain <paramref name="hostName"/> (lower-case, no trailing dot).</summary>
    public ulong MatchDomains(string hostName)
    {
        ulong mask = 0;
        var domains = _domains;
        for (var i = 0; i < domains.Length; i++)
        {
            var domain = domains[i].Domain;
            if (hostName.Length == domain.Length
                ? string.Equals(hostName, domain, StringComparison.Ordinal)
                : hostName.Length > domain.Length && hostName.EndsWith(domain, StringComparison.Ordinal) && hostName[hostName.Length - domain.Length - 1] == '.')
            {
                mask |= 1UL << domains[i].Index;
            }
        }

        return mask;
    }

    private sealed class ClaimEntry(UserAgentInfo userAgent, int index)
    {
        public UserAgentInfo UserAgent { get; } = userAgent;

        public int Index { get; } = index;
    }
}
