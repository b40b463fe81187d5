using Microsoft.Extensions.Options;
using NumoTelemetry.Alerts;
using StackExchange.Redis;

namespace NumoTelemetry.Redis;

/// <summary>
/// Fleet-wide alert de-duplication: the first node to notify for a subject and rule claims <c>{prefix}:alert:{kind}:{subject}:{rule}</c>
/// (set-if-absent with a TTL of <c>NumoTelemetry:Alerts:RepeatInterval</c>, in <c>Scripts/claim.lua</c>) and keeps sending that
/// group's updates; the other nodes stay quiet until the claim expires. When Redis is unreachable every node notifies (a duplicate
/// is better than a lost alert).
/// </summary>
internal sealed class RedisAlertDeduplicator : IAlertDeduplicator
{
    private readonly RedisConnection _connection;
    private readonly RedisFraudStateStore _store;
    private readonly bool _enabled;
    private readonly RedisValue _owner = Guid.NewGuid().ToString("N");
    private readonly RedisValue _holdMs;

    public RedisAlertDeduplicator(RedisConnection connection, RedisFraudStateStore store, IOptions<RedisOptions> options, IOptions<NumoTelemetryOptions> telemetry)
    {
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
            RedisKey key = string.Concat(_connection.KeyPrefix, ":alert:", alert.SubjectKind, ":", alert.Subject, ":", alert.Rule);
            var claimed = _connection.ClaimScript.Evaluate(database, [key], [_owner, _holdMs]);
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
}
