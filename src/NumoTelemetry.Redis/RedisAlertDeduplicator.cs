using Microsoft.Extensions.Options;
using NumoTelemetry.Alerts;
using StackExchange.Redis;

namespace NumoTelemetry.Redis;

/// <summary>
/// Fleet-wide alert de-duplication: the first node to notify for a subject and rule claims <c>{prefix}:alert:{kind}:{subject}:{rule}</c>
/// (set-if-absent with a TTL of <c>NumoTelemetry:Alerts:RepeatInterval</c>, in <c>Scripts/claim.lua</c>) and keeps sending that
/// group's updates; the other nodes stay quiet until the claim expires. The alerts due at one dispatch are claimed together,
/// pipelined (one round trip, bounded by <see cref="RedisOptions.OperationTimeout"/>), without blocking the pipeline thread. When
/// Redis is unreachable, slow or the store is falling back, every node notifies for its own alert groups (local de-duplication
/// only: a duplicate is better than a lost alert).
/// </summary>
internal sealed class RedisAlertDeduplicator : IAlertDeduplicator
{
    private readonly RedisConnection _connection;
    private readonly RedisFraudStateStore _store;
    private readonly bool _enabled;
    private readonly RedisValue _owner = Guid.NewGuid().ToString("N");
    private readonly RedisValue _holdMs;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private Task<RedisResult>[] _calls = [];

    public RedisAlertDeduplicator(RedisConnection connection, RedisFraudStateStore store, IOptions<RedisOptions> options, IOptions<NumoTelemetryOptions> telemetry)
        : this(connection, store, options, telemetry, TimeProvider.System)
    {
    }

    public RedisAlertDeduplicator(RedisConnection connection, RedisFraudStateStore store, IOptions<RedisOptions> options, IOptions<NumoTelemetryOptions> telemetry, TimeProvider time)
    {
        _time = time;
        _timeout = options.Value.OperationTimeout;
        _connection = connection;
        _store = store;
        _enabled = options.Value.AlertDeduplication;
        var alerts = telemetry.Value.Alerts;
        _holdMs = (long)Math.Max(1000, Math.Max(alerts.RepeatInterval.TotalMilliseconds, alerts.GroupInterval.TotalMilliseconds));
    }

    public bool TryClaim(FraudAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (!_enabled || _store.IsFallingBack || !_connection.IsConnected || _connection.Database is not { } database)
        {
            return true;
        }

        try
        {
            var claimed = _connection.ClaimScript.Evaluate(database, [KeyOf(alert)], [_owner, _holdMs]);
            return (long)claimed == 1;
        }
        catch (RedisException)
        {
            return true;
        }
        catch (TimeoutException)
        {
            return true;
        }
    }

    public async ValueTask ClaimAsync(IReadOnlyList<FraudAlert> alerts, bool[] claimed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(claimed);
        Array.Fill(claimed, true, 0, alerts.Count); // the answer whenever Redis cannot give one
        if (!_enabled || alerts.Count == 0 || _store.IsFallingBack || !_connection.IsConnected || _connection.Database is not { } database)
        {
            return;
        }

        if (_calls.Length < alerts.Count)
        {
            _calls = new Task<RedisResult>[Math.Max(alerts.Count, 2 * _calls.Length)];
        }

        // One pipeline: every call is written before any answer is awaited.
        var script = _connection.ClaimScript;
        for (var i = 0; i < alerts.Count; i++)
        {
            _calls[i] = script.EvaluateAsync(database, [KeyOf(alerts[i])], [_owner, _holdMs]);
        }

        try
        {
            await Task.WhenAll(_calls.AsSpan(0, alerts.Count)).WaitAsync(_timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // the calls that answered count; the others notify
        }

        for (var i = 0; i < alerts.Count; i++)
        {
            var call = _calls[i];
            if (call.IsCompletedSuccessfully)
            {
                claimed[i] = (long)call.Result == 1;
            }
            else
            {
                _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            _calls[i] = null!;
        }
    }

    private RedisKey KeyOf(FraudAlert alert) => string.Concat(_connection.KeyPrefix, ":alert:", alert.SubjectKind, ":", alert.Subject, ":", alert.Rule);
}
