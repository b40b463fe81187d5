namespace NumoTelemetry.UserAgents.Engine;

/// <summary>The counters behind <see cref="UserAgentParserStatistics"/>.</summary>
internal sealed class EngineCounters
{
    public StripedCounter Parses { get; } = new();

    public StripedCounter CacheHits { get; } = new();

    public StripedCounter Oversized { get; } = new();

    public StripedCounter RegexRuns { get; } = new();

    public StripedCounter RegexTimeouts { get; } = new();

    public StripedCounter CompiledRules { get; } = new();

    public StripedCounter InvalidRules { get; } = new();
}
