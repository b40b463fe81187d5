namespace NumoTelemetry.UserAgents;

/// <summary>Options of <see cref="UserAgentParser"/>.</summary>
public sealed class UserAgentParserOptions
{
    /// <summary>
    /// Path of a uap-core <c>regexes.yaml</c> to load at start-up instead of the embedded one.
    /// </summary>
    /// <value>Default: <see langword="null"/> (use the embedded uap-core rules).</value>
    public string? RegexesPath { get; set; }

    /// <summary>Maximum number of cached parse results.</summary>
    /// <value>Default: 10,000.</value>
    public int CacheSize { get; set; } = 10_000;

    /// <summary>User-Agents longer than this are cut to this length before parsing and flagged as oversized.</summary>
    /// <value>Default: 512 characters.</value>
    public int MaxLength { get; set; } = 512;

    /// <summary>
    /// Backstop timeout of a single regular-expression match. A match that runs out reads as "no match",
    /// is counted in <see cref="UserAgentParserStatistics.RegexTimeouts"/>, and its result is not cached.
    /// The timeout is wall-clock time, so on a starved machine it can fire without any hostile input;
    /// with the length cap no uap-core rule comes near it, which is why it is generous.
    /// </summary>
    /// <value>Default: 100 ms.</value>
    public TimeSpan MatchTimeout { get; set; } = TimeSpan.FromMilliseconds(100);
}
