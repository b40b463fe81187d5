namespace NumoTelemetry.Fraud.State;

/// <summary>
/// Where fraud detection keeps its state: sliding-window counters, distinct-count sketches, timing series, last
/// observations, known-member sets and decaying scores, per subject. Batch-oriented: the engine calls
/// <see cref="ApplyAsync"/> once per pipeline batch with every operation of the batch, so a remote store (Redis)
/// makes one round trip per batch, never one per request. The in-memory store is the default.
/// A public extension point: a store shared by several nodes implements it (NumoTelemetry.Redis does) and replaces the
/// registered <see cref="IFraudStateStore"/>; <see cref="FraudStateBatch"/>, <see cref="StateOperation"/>,
/// <see cref="StateOperationKind"/>, <see cref="StateResult"/>, <see cref="Observation"/>, <see cref="SubjectKey"/> and
/// <see cref="SubjectKind"/> are public for it, and <see cref="FraudStateStores.CreateInMemory(int, long)"/> gives it a local view.
/// </summary>
/// <remarks>
/// <para>The full contract, with key naming for a remote store, is in <c>docs/fraud-state-store.md</c>. In short:</para>
/// <list type="bullet">
/// <item>Operations are applied in order; each result reflects every earlier operation of the batch.</item>
/// <item>Time is the operation's <see cref="StateOperation.At"/> (record time; simulated in replay), never the store's clock.
/// Times are bucketed in Unix milliseconds.</item>
/// <item><b>Increment</b>: bucket length <c>L = Window / 6</c>, bucket <c>b = floor(atMs / L)</c>; adds <c>Amount</c> to bucket
/// <c>b</c>; returns the sum of buckets <c>b-5 .. b</c>. Buckets older than that expire.</item>
/// <item><b>AddDistinct</b>: generation length <c>G = Window / 2</c>, <c>g = floor(atMs / G)</c>; adds <c>Element</c> to generation
/// <c>g</c> (unless it is 0: a read); returns the estimated cardinality of the union of generations <c>g-1</c> and <c>g</c>
/// (HyperLogLog of 1,024 registers, standard error 1.04/√1024 ≈ 3.25 %; exact for small sets) and whether the add changed the sketch.</item>
/// <item><b>ObserveTiming</b>: gap <c>d = atMs - lastMs</c>. If there is no previous arrival, or <c>d &gt; Window</c>, the series
/// restarts (n = 0, no gap). Otherwise, with <c>n = n + 1</c> and <c>a = max(1/n, 0.05)</c>: <c>delta = d - mean</c>;
/// <c>mean = mean + a·delta</c>; <c>var = (1 - a)·(var + a·delta²)</c>. Returns <c>Count = n</c>, <c>Mean = mean</c>,
/// <c>Variation = sqrt(var) / mean</c> (0 when mean is 0). An arrival earlier than the last is ignored (returns the current values).
/// Time to live <c>Window</c> after the last arrival.</item>
/// <item><b>Exchange</b>: stores the observation, returns the previous one if it is younger than <c>Window</c> (time to live,
/// refreshed by every exchange).</item>
/// <item><b>AddMember</b>: set of at most <see cref="StateOperation.MaxMembers"/> elements (least recently added evicted first);
/// returns <c>IsNew</c> (the element was not a member) and <c>Count</c> (size after the add). Element 0 reads. Time to live
/// <c>Window</c>, refreshed by every add.</item>
/// <item><b>AddScore</b>: per subject, one value per reason, all decaying with half-life <c>H = Window</c>:
/// <c>v(t) = v(t0)·2^(-(t - t0)/H)</c>. An add sets <c>v_reason = max(v_reason(t), Points)</c> (a reason refreshes, it does not pile
/// up); returns <c>Score = Σ v(t)</c> over reasons and <c>TopReason</c>, the reason with the largest value. Points 0 (or a null reason)
/// only reads. A score may be dropped once every value is below 0.5.</item>
/// </list>
/// <para>Subject keys include the pseudonymisation key id (<see cref="SubjectKey.KeyId"/>) so state made under a retired key can
/// be erased (<see cref="ForgetKeyAsync"/>) or left to expire. Stores hold only pseudonym hashes and aggregates.</para>
/// <para>Implementations are called from the single pipeline thread; they need not be thread-safe for concurrent
/// <see cref="ApplyAsync"/> calls. An exception fails the batch's detection only (logged and counted); a remote store should
/// fall back to local state itself and say so in a metric.</para>
/// </remarks>
public interface IFraudStateStore
{
    /// <summary>
    /// Whether other processes share this state (a remote store). The engine then also reads the scores of the subjects
    /// in each batch, so risk raised by another node reaches this node's requests.
    /// </summary>
    bool IsShared { get; }

    /// <summary>Applies every operation of <paramref name="batch"/>, in order, and fills <see cref="FraudStateBatch.Results"/>.</summary>
    /// <remarks>
    /// A shared store is also called with an empty batch when the pipeline is idle (about once a second): the moment to
    /// send what it still owes the other nodes, such as operations kept during an outage. Otherwise an empty batch does nothing.
    /// </remarks>
    ValueTask ApplyAsync(FraudStateBatch batch, CancellationToken cancellationToken);

    /// <summary>Erases all state of subjects whose pseudonyms were made under <paramref name="keyId"/> (after the key was destroyed).</summary>
    ValueTask ForgetKeyAsync(ushort keyId, CancellationToken cancellationToken);
}
