namespace NumoTelemetry.UserAgents;

/// <summary>A snapshot of a <see cref="UserAgentParser"/>'s counters, for metrics and diagnostics.</summary>
public sealed class UserAgentParserStatistics
{
    /// <summary>Non-empty User-Agents parsed (cache hits included).</summary>
    public long Parses { get; init; }

    /// <summary>Parses answered from the cache.</summary>
    public long CacheHits { get; init; }

    /// <summary>Parses that ran the engine.</summary>
    public long CacheMisses { get; init; }

    /// <summary>The cache's maximum number of entries (0: no cache).</summary>
    public int CacheCapacity { get; init; }

    /// <summary>The cache's current number of entries.</summary>
    public int CacheCount { get; init; }

    /// <summary>Engine runs on User-Agents longer than <see cref="UserAgentParserOptions.MaxLength"/>.</summary>
    public long Oversized { get; init; }

    /// <summary>Regular-expression evaluations (candidates that passed the prefilter).</summary>
    public long RegexRuns { get; init; }

    /// <summary>Regular-expression evaluations stopped by <see cref="UserAgentParserOptions.MatchTimeout"/> (read as no match).</summary>
    public long RegexTimeouts { get; init; }

    /// <summary>Rules whose regex has been compiled to IL after becoming hot.</summary>
    public long CompiledRules { get; init; }

    /// <summary>Rules whose pattern .NET rejected (they never match).</summary>
    public long InvalidRules { get; init; }

    /// <summary>Rules loaded: uap-core's three sections plus the bot patterns.</summary>
    public int RuleCount { get; init; }

    /// <summary>Rules without a literal the prefilter can require (they are evaluated for every User-Agent).</summary>
    public int AlwaysRunRules { get; init; }

    /// <summary>Distinct literal atoms in the prefilter.</summary>
    public int AtomCount { get; init; }
}
