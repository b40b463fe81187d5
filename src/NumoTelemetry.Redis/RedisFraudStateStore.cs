using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Fraud.State;
using StackExchange.Redis;

namespace NumoTelemetry.Redis;

/// <summary>
/// The fleet's <see cref="IFraudStateStore"/>: every batch goes to Redis as one pipeline of <c>EVALSHA</c> calls (one round trip),
/// applied atomically by <c>Scripts/apply.lua</c> with the in-memory store's arithmetic, every key written with its TTL.
/// </summary>
/// <remarks>
/// <para>Every batch is also applied to a local in-process store (<see cref="FraudStateStores.CreateInMemory(int, long)"/>) first (this node's own view, bounded by
/// <c>NumoTelemetry:Fraud:MaxSubjects</c>). When Redis answers, its results replace the local ones; when it is down, slow or
/// the circuit is open, the local results stand, the operations are journaled for replay, the fallback gauge is 1, and one
/// warning is logged per outage. While the circuit is open a batch costs no network call at all. When Redis returns the
/// journal is replayed (a few calls per batch, oldest first) so the shared state catches up.</para>
/// <para>Called from the single pipeline thread only.</para>
/// </remarks>
internal sealed class RedisFraudStateStore : ISharedFraudStateStore, ISubjectStateStore
{
    private const int ReplayCallsPerBatch = 4;

    private readonly RedisConnection _connection;
    private readonly RedisOptions _options;
    private readonly IFraudStateStore _local;
    private readonly StateScriptCodec _codec;
    private readonly OperationJournal _journal;
    private readonly RedisMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly List<Task<RedisResult>> _calls = new();
    private readonly List<LinkedListNode<OperationJournal.Chunk>> _replaying = new();
    private readonly List<string> _batchIds = new();
    private readonly string _node = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
    private long _sequence;
    private volatile bool _down;
    private long _downSince;
    private long _retryAt;
    private long _dropped;

    public RedisFraudStateStore(
        RedisConnection connection,
        IOptions<RedisOptions> options,
        IOptions<NumoTelemetryOptions> telemetry,
        RedisMetrics metrics,
        ILogger<RedisFraudStateStore> logger,
        TimeProvider time)
    {
        _connection = connection;
        _options = options.Value;
        _local = FraudStateStores.CreateInMemory(telemetry.Value.Fraud.MaxSubjects, telemetry.Value.Fraud.MaxStateBytes);
        _codec = new StateScriptCodec(_options.KeyPrefix);
        _journal = new OperationJournal(_options.ReplayCapacity, _options.MaxOperationsPerCall);
        _metrics = metrics;
        _logger = logger;
        _time = time;
        metrics.SetFallbackSource(() => _down ? 1 : 0);
        _ = connection.StartAsync(); // connect in the background from start-up; the first batch waits at most ConnectTimeout
    }

    public bool IsShared => true;

    /// <summary>Whether the node is on local state now (Redis unreachable or circuit open).</summary>
    public bool IsFallingBack => _down;

    /// <summary>Operations waiting to be replayed to Redis.</summary>
    internal int Journaled => _journal.Count;

    /// <summary>This node's local view: the engine marks its verdicts' subjects as evidence there and reports its counts.</summary>
    public IFraudStateStore LocalView => _local;

    internal StateScriptCodec Codec => _codec;

    internal RedisConnection Connection => _connection;

    public async ValueTask ApplyAsync(FraudStateBatch batch, CancellationToken cancellationToken)
    {
        // The local view first: it is the answer whenever Redis cannot give one, and the warm state of a fallback.
        await _local.ApplyAsync(batch, cancellationToken).ConfigureAwait(false);

        var now = _time.GetTimestamp();
        if (_down && now < _retryAt)
        {
            Fallback(batch); // circuit open: no network call
            return;
        }

        // An empty batch (the engine's idle flush) still replays what an outage left in the journal: a node that goes
        // quiet after an outage must not keep the fleet's share of its state to itself until its next request.
        if (batch.Count == 0 && _journal.Count == 0)
        {
            return;
        }

        var database = await ConnectedDatabaseAsync(cancellationToken).ConfigureAwait(false);
        if (database is null)
        {
            MarkDown("not connected");
            Fallback(batch);
            return;
        }

        try
        {
            await SendAsync(database, batch, cancellationToken).ConfigureAwait(false);
            if (batch.Count > 0)
            {
                _metrics.Applied(batch.Count, _time.GetElapsedTime(now));
            }

            var replayed = TrimReplayed();
            if (_down)
            {
                Recover(replayed);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Trim per call: replayed calls that answered are done; the batch's calls that did not answer are kept under
            // their ids (they may still run: their replay is then a no-op in the script, never a second count).
            TrimReplayed();
            MarkDown(ex is TimeoutException or RedisTimeoutException ? "timeout" : ex.GetType().Name);
            KeepUnanswered(batch);
            ObserveLateFailures();
            if (batch.Count > 0)
            {
                _metrics.FallbackBatch();
            }
        }
    }

    public async ValueTask ForgetKeyAsync(ushort keyId, CancellationToken cancellationToken) =>
        await ForgetKeyCoreAsync(keyId, cancellationToken).ConfigureAwait(false);

    /// <summary>Erases the state made under <paramref name="keyId"/> (Redis, local view, journal); returns the Redis keys erased.</summary>
    internal async ValueTask<long> ForgetKeyCoreAsync(ushort keyId, CancellationToken cancellationToken)
    {
        await _local.ForgetKeyAsync(keyId, cancellationToken).ConfigureAwait(false);
        _journal.Forget(keyId);
        var database = await ConnectedDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var multiplexer = _connection.Multiplexer;
        if (database is null || multiplexer is null)
        {
            Log.ForgetFailed(_logger, keyId, "not connected");
            throw new InvalidOperationException($"Redis is unreachable: the fraud state of pseudonymisation key {keyId} was erased locally only; it expires with its TTLs, or run ForgetKeyAsync again.");
        }

        // SCAN (never KEYS) every primary, UNLINK in pages: the server is not blocked.
        var pattern = _codec.Prefix + ":*:k" + keyId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".*";
        long erased = 0;
        var page = new List<RedisKey>(512);
        foreach (var server in multiplexer.GetServers())
        {
            if (!server.IsConnected || server.IsReplica)
            {
                continue;
            }

            await foreach (var key in server.KeysAsync(database.Database, pattern, pageSize: 1000).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                page.Add(key);
                if (page.Count == page.Capacity)
                {
                    erased += await UnlinkAsync(database, page).ConfigureAwait(false);
                }
            }
        }

        erased += await UnlinkAsync(database, page).ConfigureAwait(false);
        Log.KeyForgotten(_logger, erased, keyId);
        return erased;
    }

    /// <summary>
    /// Erases subjects (a person's erasure, an account closure): this node's local view, the journal (so no replay brings them
    /// back) and their keys in Redis. Throws <see cref="InvalidOperationException"/> when Redis is unreachable (erased locally only).
    /// </summary>
    public async ValueTask<long> ForgetSubjectsAsync(IReadOnlyCollection<SubjectKey> subjects, CancellationToken cancellationToken)
    {
        var set = subjects as IReadOnlySet<SubjectKey> ?? new HashSet<SubjectKey>(subjects);
        await ((ISubjectStateStore)_local).ForgetSubjectsAsync(set, cancellationToken).ConfigureAwait(false);
        _journal.Forget(set);
        var database = await ConnectedDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var multiplexer = _connection.Multiplexer;
        if (database is null || multiplexer is null)
        {
            throw new InvalidOperationException("Redis is unreachable: the subjects' fraud state was erased on this node only; it expires with its TTLs, or run `numo subject erase --redis` again.");
        }

        var keys = await RedisSubjectState.FindAsync(multiplexer, database, _codec.Prefix, set, cancellationToken).ConfigureAwait(false);
        return await RedisSubjectState.UnlinkAsync(database, keys).ConfigureAwait(false);
    }

    /// <summary>Describes this node's local view of the subjects (Redis itself is read by <c>numo subject export --redis</c>).</summary>
    public ValueTask DescribeSubjectsAsync(IReadOnlyCollection<SubjectKey> subjects, System.Text.Json.Utf8JsonWriter writer, CancellationToken cancellationToken) =>
        ((ISubjectStateStore)_local).DescribeSubjectsAsync(subjects, writer, cancellationToken);

    private static async Task<long> UnlinkAsync(IDatabase database, List<RedisKey> page)
    {
        if (page.Count == 0)
        {
            return 0;
        }

        var args = new object[page.Count];
        for (var i = 0; i < page.Count; i++)
        {
            args[i] = page[i];
        }

        page.Clear();
        return (long)await database.ExecuteAsync("UNLINK", args).ConfigureAwait(false);
    }

    private async ValueTask<IDatabase?> ConnectedDatabaseAsync(CancellationToken cancellationToken)
    {
        var connecting = _connection.StartAsync();
        if (!connecting.IsCompleted)
        {
            try
            {
                await connecting.WaitAsync(_options.ConnectTimeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }

        if (connecting.IsFaulted || connecting.IsCanceled || !_connection.IsConnected)
        {
            return null;
        }

        return _connection.Database;
    }

    /// <summary>Sends the replay (if any) and the batch as one pipeline; fills the batch's results.</summary>
    private async Task SendAsync(IDatabase database, FraudStateBatch batch, CancellationToken cancellationToken)
    {
        _calls.Clear();
        _replaying.Clear();
        _batchIds.Clear();
        var script = _connection.ApplyScript;
        var perCall = _options.MaxOperationsPerCall;

        // Replay first (oldest first), a bounded number of calls per batch so a long outage catches up over several batches.
        for (var node = _journal.Oldest; node is not null && _replaying.Count < ReplayCallsPerBatch; node = node.Next)
        {
            var chunk = node.Value;
            chunk.Id ??= NextCallId(); // from now on this chunk is applied at most once, however often it is sent
            var (keys, values) = _codec.Encode(chunk.Id, chunk.Span);
            _replaying.Add(node);
            _calls.Add(script.EvaluateAsync(database, keys, values));
        }

        var replayCalls = _calls.Count;
        var operations = batch.Operations;
        for (var start = 0; start < operations.Length; start += perCall)
        {
            var id = NextCallId();
            var (keys, values) = _codec.Encode(id, operations.Slice(start, Math.Min(perCall, operations.Length - start)));
            _calls.Add(script.EvaluateAsync(database, keys, values));
            _batchIds.Add(id);
        }

        await Task.WhenAll(_calls).WaitAsync(_options.OperationTimeout, _time, cancellationToken).ConfigureAwait(false);

        // Decode only once every call answered: a failure leaves the local results in place.
        var results = batch.Results;
        operations = batch.Operations;
        for (int c = replayCalls, start = 0; c < _calls.Count; c++, start += perCall)
        {
            var n = Math.Min(perCall, operations.Length - start);
            StateScriptCodec.Decode(operations.Slice(start, n), _calls[c].Result, results.Slice(start, n));
        }
    }

    private string NextCallId() => string.Concat(_node, ".", (++_sequence).ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Removes the replayed chunks whose call answered; returns their operations.</summary>
    private int TrimReplayed()
    {
        var replayed = 0;
        for (var i = 0; i < _replaying.Count && i < _calls.Count; i++)
        {
            if (_calls[i].IsCompletedSuccessfully)
            {
                replayed += _replaying[i].Value.Count;
                _journal.Remove(_replaying[i]);
            }
        }

        _replaying.Clear();
        _metrics.Reconciled(replayed, "replayed");
        return replayed;
    }

    /// <summary>Journals the batch's calls that got no answer, under the ids they were sent with.</summary>
    private void KeepUnanswered(FraudStateBatch batch)
    {
        var dropped = _journal.Dropped;
        var operations = batch.Operations;
        var perCall = _options.MaxOperationsPerCall;
        var firstBatchCall = _calls.Count - _batchIds.Count;
        for (int c = 0, start = 0; start < operations.Length; c++, start += perCall)
        {
            var slice = operations.Slice(start, Math.Min(perCall, operations.Length - start));
            if (c < _batchIds.Count && _calls[firstBatchCall + c].IsCompletedSuccessfully)
            {
                continue; // applied in Redis
            }

            if (c < _batchIds.Count)
            {
                _journal.AddSent(_batchIds[c], slice);
            }
            else
            {
                _journal.Add(slice);
            }
        }

        _metrics.Reconciled(_journal.Dropped - dropped, "dropped");
    }

    private void Fallback(FraudStateBatch batch)
    {
        if (batch.Count == 0)
        {
            return; // an empty batch (the idle flush): no batch fell back
        }

        _metrics.FallbackBatch();
        var dropped = _journal.Dropped;
        _journal.Add(batch.Operations);
        if (_journal.Dropped > dropped)
        {
            _metrics.Reconciled(_journal.Dropped - dropped, "dropped");
        }
    }

    private void MarkDown(string cause)
    {
        var now = _time.GetTimestamp();
        _retryAt = now + (long)(_options.BreakDuration.TotalSeconds * _time.TimestampFrequency);
        if (_down)
        {
            return;
        }

        _down = true;
        _downSince = now;
        _journal.ResetDropped();
        _metrics.Outage();
        Log.Unavailable(_logger, cause);
    }

    private void Recover(int replayedNow)
    {
        Log.Recovered(_logger, _time.GetElapsedTime(_downSince).TotalSeconds, replayedNow + _journal.Count, _journal.Dropped);
        _dropped += _journal.Dropped;
        _journal.ResetDropped();
        _down = false;
    }

    /// <summary>Calls that time out may still fail later: observe them so they do not surface as unobserved exceptions.</summary>
    private void ObserveLateFailures()
    {
        foreach (var call in _calls)
        {
            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        _calls.Clear();
    }

    /// <summary>Operations dropped from replay journals so far (tests).</summary>
    internal long DroppedTotal => _dropped + _journal.Dropped;
}
