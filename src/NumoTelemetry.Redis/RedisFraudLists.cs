using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.Feedback;
using NumoTelemetry.Fraud.State;
using StackExchange.Redis;

namespace NumoTelemetry.Redis;

/// <summary>
/// The fleet's allow and deny lists: every entry in one Redis hash (<c>{prefix}:lists</c>, field = entry id, value = the entry as
/// JSON; no TTL, so entries survive restarts of every node), each change published on <c>{prefix}:lists:changes</c>. Every node
/// keeps its local <see cref="IFraudListCopy"/> (what the request hot path reads) in step: a full load at start-up, after every
/// reconnect and every <see cref="RedisOptions.ListRefreshInterval"/> (pub/sub loses what is sent while a node is disconnected),
/// and each published change at once. An allow entry also takes its rule's points out of the subject's shared score.
/// </summary>
internal sealed class RedisFraudLists : IFraudListReplica, IAsyncDisposable
{
    private readonly RedisConnection _connection;
    private readonly RedisOptions _options;
    private readonly ILogger _logger;
    private readonly RedisKey _hash;
    private readonly RedisChannel _channel;
    private readonly string _prefix;
    private readonly int _max;
    private readonly RedisConnection.Script _put;
    private readonly RedisConnection.Script _remove;
    private readonly CancellationTokenSource _stopping = new();
    private IFraudListCopy? _book;
    private ITimer? _refresh;
    private int _loading;
    private int _disposed;

    public RedisFraudLists(RedisConnection connection, IOptions<RedisOptions> options, IOptions<NumoTelemetryOptions> telemetry, ILoggerFactory loggerFactory)
    {
        _connection = connection;
        _options = options.Value;
        _logger = loggerFactory.CreateLogger<RedisFraudLists>();
        _prefix = _options.KeyPrefix;
        _hash = _prefix + ":lists";
        _channel = RedisChannel.Literal(_prefix + ":lists:changes");
        _max = telemetry.Value.Fraud.MaxListEntries;
        _put = new RedisConnection.Script(Load("list-put.lua"));
        _remove = new RedisConnection.Script(Load("list-remove.lua"));
    }

    /// <summary>Full loads done so far (tests).</summary>
    internal int Loads { get; private set; }

    /// <summary>Completes when the first full load is done (tests; the host does not wait for it).</summary>
    internal TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Attach(IFraudListCopy copy)
    {
        _book = copy;
        _ = StartAsync();
    }

    public async ValueTask<int> PutAsync(FraudListEntry entry, bool onlyIfAbsent, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var allowed = entry.List == FraudListKind.Allow ? entry.Rule ?? "*" : string.Empty;
        var scoreKey = string.Concat(_prefix, ":", SubjectKey.KindName(entry.SubjectKind), ":", entry.Subject, ":", FraudFeatures.WireName(FraudFeature.Score));
        var result = (long)await _put.EvaluateAsync(
            database,
            [_hash, scoreKey],
            [entry.Id, ToJson(entry), _max, onlyIfAbsent ? "1" : "0", _channel.ToString(), allowed]).WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
        return (int)result;
    }

    public async ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var result = (long)await _remove.EvaluateAsync(database, [_hash], [id, _channel.ToString()]).WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
        return result == 1;
    }

    private async Task<IDatabase> DatabaseAsync(CancellationToken cancellationToken)
    {
        var multiplexer = await _connection.StartAsync().WaitAsync(_options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        return multiplexer.GetDatabase(_options.Database);
    }

    private async Task StartAsync()
    {
        var multiplexer = default(ConnectionMultiplexer);
        while (multiplexer is null && !_stopping.IsCancellationRequested)
        {
            try
            {
                multiplexer = await _connection.StartAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
            {
                try
                {
                    await Task.Delay(_options.BreakDuration, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        if (multiplexer is null)
        {
            return;
        }

        try
        {
            await multiplexer.GetSubscriber().SubscribeAsync(_channel, (channel, message) => _ = OnChangeAsync(message)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Failed(ex); // the periodic refresh still keeps this node in step, later
        }

        multiplexer.ConnectionRestored += (_, _) => _ = RefreshAsync();
        _refresh = TimeProvider.System.CreateTimer(static state => _ = ((RedisFraudLists)state!).RefreshAsync(), this, _options.ListRefreshInterval, _options.ListRefreshInterval);
        await RefreshAsync().ConfigureAwait(false);
    }

    /// <summary>Replaces this node's copy with the fleet's lists (one HGETALL).</summary>
    internal async Task RefreshAsync()
    {
        if (_book is null || Interlocked.Exchange(ref _loading, 1) == 1)
        {
            return;
        }

        try
        {
            var database = await DatabaseAsync(_stopping.Token).ConfigureAwait(false);
            var fields = await database.HashGetAllAsync(_hash).WaitAsync(_options.OperationTimeout, _stopping.Token).ConfigureAwait(false);
            var entries = new List<(FraudListEntry, SubjectKey)>(fields.Length);
            foreach (var field in fields)
            {
                if (TryParse(field.Value, out var entry, out var subject))
                {
                    entries.Add((entry, subject));
                }
            }

            _book.ReplaceAll(entries);
            Loads++;
            Ready.TrySetResult();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException or InvalidOperationException)
        {
            if (!_stopping.IsCancellationRequested)
            {
                Failed(ex);
            }
        }
        finally
        {
            Volatile.Write(ref _loading, 0);
        }
    }

    private async Task OnChangeAsync(RedisValue message)
    {
        var text = (string?)message;
        if (_book is null || text is null || text.Length < 5)
        {
            return;
        }

        var id = text[4..];
        try
        {
            if (text.StartsWith("del ", StringComparison.Ordinal))
            {
                _book.Remove(id);
                return;
            }

            var database = await DatabaseAsync(_stopping.Token).ConfigureAwait(false);
            var value = await database.HashGetAsync(_hash, id).WaitAsync(_options.OperationTimeout, _stopping.Token).ConfigureAwait(false);
            if (value.IsNull)
            {
                _book.Remove(id); // removed again since
            }
            else if (TryParse(value, out var entry, out var subject))
            {
                _book.Put(entry, subject);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            if (!_stopping.IsCancellationRequested)
            {
                Failed(ex);
            }
        }
    }

    private void Failed(Exception ex)
    {
        _book?.CountStoreError();
        Log.ListsFailed(_logger, ex is TimeoutException or RedisTimeoutException ? "timeout" : ex.GetType().Name);
    }

    internal static string ToJson(FraudListEntry entry)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", entry.Id);
            json.WriteString("list", FraudListEntry.ListName(entry.List));
            json.WriteString("subjectKind", SubjectKey.KindName(entry.SubjectKind));
            json.WriteString("subject", entry.Subject);
            if (entry.Rule is not null)
            {
                json.WriteString("rule", entry.Rule);
            }

            if (entry.Expires is { } expires)
            {
                json.WriteNumber("expires", expires.ToUnixTimeMilliseconds());
            }

            json.WriteNumber("created", entry.Created.ToUnixTimeMilliseconds());
            if (entry.CreatedBy is not null)
            {
                json.WriteString("createdBy", entry.CreatedBy);
            }

            json.WriteString("source", entry.Source == FraudListSource.FalsePositive ? "false-positive" : "manual");
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads an entry stored by <see cref="ToJson"/>, checked again as <see cref="IFraudFeedback.AddAsync"/> checks it (a hostile writer to Redis gains no raw value in).</summary>
    internal static bool TryParse(RedisValue value, out FraudListEntry entry, out SubjectKey subject)
    {
        entry = null!;
        subject = default;
        try
        {
            using var document = JsonDocument.Parse((string)value!);
            var root = document.RootElement;
            var kind = KindOf(root.GetProperty("subjectKind").GetString());
            var text = root.GetProperty("subject").GetString();
            if (!FraudListEntry.TryParseSubject(kind, text, out subject))
            {
                return false;
            }

            entry = new FraudListEntry
            {
                Id = root.GetProperty("id").GetString() ?? string.Empty,
                List = root.GetProperty("list").GetString() == "deny" ? FraudListKind.Deny : FraudListKind.Allow,
                SubjectKind = kind,
                Subject = subject.ToString(),
                Rule = root.TryGetProperty("rule", out var rule) ? rule.GetString() : null,
                Expires = root.TryGetProperty("expires", out var expires) ? DateTimeOffset.FromUnixTimeMilliseconds(expires.GetInt64()) : null,
                Created = DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("created").GetInt64()),
                CreatedBy = root.TryGetProperty("createdBy", out var by) ? by.GetString() : null,
                Source = root.TryGetProperty("source", out var source) && source.GetString() == "false-positive" ? FraudListSource.FalsePositive : FraudListSource.Manual,
            };
            return entry.Id.Length > 0;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    private static SubjectKind KindOf(string? name) => name switch
    {
        "ip" => SubjectKind.Ip,
        "ip-prefix" => SubjectKind.IpPrefix,
        "session" => SubjectKind.Session,
        "visitor" => SubjectKind.Visitor,
        "user" => SubjectKind.User,
        "asn" => SubjectKind.Asn,
        _ => SubjectKind.None,
    };

    private static string Load(string name)
    {
        using var stream = typeof(RedisFraudLists).Assembly.GetManifestResourceStream("NumoTelemetry.Redis.Scripts." + name)
            ?? throw new InvalidOperationException("Missing embedded script " + name + ".");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return; // registered as itself and as the replica: disposed by both
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_refresh is not null)
        {
            await _refresh.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
