namespace NumoTelemetry.Redis;

/// <summary>
/// Fleet mode (<c>NumoTelemetry:Redis</c>): the fraud engine's windows, sketches and scores in one Redis shared by every node,
/// so an attack spread over many servers is seen whole. Validated at start-up.
/// </summary>
public sealed class RedisOptions
{
    /// <summary>The StackExchange.Redis configuration string, for example <c>127.0.0.1:6379,password=...</c>. Required.</summary>
    /// <value>Default: <see langword="null"/> (a start-up error names the setting).</value>
    /// <remarks>The timeouts below override the ones in this string; <c>abortConnect</c> is always <see langword="false"/>.</remarks>
    public string? Configuration { get; set; }

    /// <summary>The prefix of every key this package writes (<c>{prefix}:{kind}:{subject}:{name}</c>). Letters, digits and <c>:._-</c> only.</summary>
    /// <value>Default: <c>numo:fraud</c>.</value>
    public string KeyPrefix { get; set; } = "numo:fraud";

    /// <summary>The Redis database number, or -1 for the configuration's default.</summary>
    /// <value>Default: -1.</value>
    public int Database { get; set; } = -1;

    /// <summary>How long a connection attempt may take. The first batch waits at most this long for the first connection.</summary>
    /// <value>Default: 2 seconds.</value>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one batch's round trip may take before the node falls back to local state.</summary>
    /// <value>Default: 1 second.</value>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the circuit stays open after a failure: batches go to local state only, with no network call, until the next try.
    /// A dead Redis costs nothing per batch.
    /// </summary>
    /// <value>Default: 5 seconds.</value>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most operations per script call; a batch larger than this goes as several calls in one pipeline (still one round trip).</summary>
    /// <value>Default: 2,048 (a script call then holds the server for about a millisecond).</value>
    public int MaxOperationsPerCall { get; set; } = 2048;

    /// <summary>
    /// Operations kept while Redis is unreachable, replayed when it returns so the shared state catches up with this node's
    /// traffic (the oldest are dropped and counted beyond it). 0 turns reconciliation off.
    /// </summary>
    /// <value>Default: 100,000.</value>
    public int ReplayCapacity { get; set; } = 100_000;

    /// <summary>Whether alerts are de-duplicated across the fleet (one notification per subject and rule, not one per node).</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool AlertDeduplication { get; set; } = true;

    /// <summary>
    /// How often each node reloads the fleet's allow and deny lists in full, besides every change it is told of at once and every
    /// reconnect: what it missed while disconnected from the change channel catches up within this.
    /// </summary>
    /// <value>Default: 1 minute.</value>
    public TimeSpan ListRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);
}
