using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace NumoTelemetry.Redis;

/// <summary>
/// The one multiplexer of this package, connected in the background at start-up with bounded timeouts, no abort on a failed
/// connect and fail-fast on a lost connection (a command never waits in a backlog to run minutes later). Also holds the Lua
/// scripts and their SHA1s (<c>EVALSHA</c>; <c>EVAL</c> when the server answers <c>NOSCRIPT</c>).
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable, IDisposable
{
    private readonly RedisOptions _options;
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private Task<ConnectionMultiplexer>? _connecting;
    private ConnectionMultiplexer? _multiplexer;
    private long _retryAt;
    private TimeSpan _backoff;

    public RedisConnection(IOptions<RedisOptions> options)
        : this(options, TimeProvider.System)
    {
    }

    public RedisConnection(IOptions<RedisOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        KeyPrefix = _options.KeyPrefix;
        ApplyScript = new Script(LoadScript("apply.lua"));
        ClaimScript = new Script(LoadScript("claim.lua"));
    }

    public string KeyPrefix { get; }

    public Script ApplyScript { get; }

    public Script ClaimScript { get; }

    /// <summary>Whether a connection is up now (no network call).</summary>
    public bool IsConnected => _multiplexer?.IsConnected ?? false;

    /// <summary>The database, once connected (<see langword="null"/> before the first connection attempt finished).</summary>
    public IDatabase? Database => _multiplexer?.GetDatabase(_options.Database);

    public ConnectionMultiplexer? Multiplexer => _multiplexer;

    /// <summary>Connection attempts started so far (tests).</summary>
    internal int Attempts { get; private set; }

    /// <summary>
    /// Starts connecting without waiting; returns the attempt in flight or the one that succeeded. An attempt that failed
    /// (faulted or cancelled) is replaced by a new one once its back-off has passed (<see cref="RedisOptions.BreakDuration"/>,
    /// doubling up to 30 s): a node that could not connect at boot joins the fleet when Redis becomes reachable.
    /// </summary>
    public Task<ConnectionMultiplexer> StartAsync()
    {
        lock (_gate)
        {
            var connecting = _connecting;
            if (connecting is null)
            {
                return _connecting = Begin();
            }

            if (!(connecting.IsFaulted || connecting.IsCanceled) || _time.GetTimestamp() < _retryAt)
            {
                return connecting;
            }

            _ = connecting.Exception; // observed
            var failed = Interlocked.Exchange(ref _multiplexer, null);
            failed?.Dispose();
            return _connecting = Begin();
        }
    }

    private Task<ConnectionMultiplexer> Begin()
    {
        Attempts++;
        var task = ConnectAsync();
        _ = task.ContinueWith(
            static (t, state) => ((RedisConnection)state!).Failed(),
            this,
            CancellationToken.None,
            TaskContinuationOptions.NotOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return task;
    }

    private void Failed()
    {
        lock (_gate)
        {
            var max = TimeSpan.FromSeconds(30);
            _backoff = _backoff == TimeSpan.Zero ? _options.BreakDuration : TimeSpan.FromTicks(Math.Min(max.Ticks, _backoff.Ticks * 2));
            _retryAt = _time.GetTimestamp() + (long)(_backoff.TotalSeconds * _time.TimestampFrequency);
        }
    }

    /// <summary>Builds the client configuration from the options: their timeouts win over the configuration string's.</summary>
    internal static ConfigurationOptions CreateConfiguration(RedisOptions options)
    {
        var config = ConfigurationOptions.Parse(options.Configuration!);
        config.AbortOnConnectFail = false;
        config.ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds;
        config.SyncTimeout = (int)options.OperationTimeout.TotalMilliseconds;
        config.AsyncTimeout = (int)options.OperationTimeout.TotalMilliseconds;
        config.ConnectRetry = 1;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ClientName ??= "numo-telemetry";
        return config;
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(CreateConfiguration(_options)).ConfigureAwait(false);
        _multiplexer = multiplexer;
        await LoadScriptsAsync(multiplexer).ConfigureAwait(false);
        return multiplexer;
    }

    /// <summary>SCRIPT LOAD on every connected primary; best effort (a NOSCRIPT later falls back to EVAL).</summary>
    private async Task LoadScriptsAsync(ConnectionMultiplexer multiplexer)
    {
        foreach (var server in multiplexer.GetServers())
        {
            if (!server.IsConnected || server.IsReplica)
            {
                continue;
            }

            try
            {
                await server.ScriptLoadAsync(ApplyScript.Text).ConfigureAwait(false);
                await server.ScriptLoadAsync(ClaimScript.Text).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // not fatal (RedisTimeoutException is a TimeoutException, not a RedisException): EVALSHA meets NOSCRIPT and
                // the store sends EVAL
            }
        }
    }

    private static string LoadScript(string name)
    {
        using var stream = typeof(RedisConnection).Assembly.GetManifestResourceStream("NumoTelemetry.Redis.Scripts." + name)
            ?? throw new InvalidOperationException("Missing embedded script " + name + ".");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public void Dispose() => _multiplexer?.Dispose();

    public async ValueTask DisposeAsync()
    {
        var connecting = _connecting;
        if (connecting is not null)
        {
            try
            {
                await connecting.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
            {
            }
        }

        if (_multiplexer is not null)
        {
            await _multiplexer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A Lua script with its SHA1 (as EVALSHA wants it).</summary>
    internal sealed class Script
    {
        public Script(string text)
        {
            Text = text;
#pragma warning disable CA5350 // EVALSHA names a script by its SHA1: an identifier, not security
            Sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
        }

        public string Text { get; }

        public byte[] Sha1 { get; }

        /// <summary>Runs the script with EVALSHA, or EVAL (which loads it) when the server does not know it.</summary>
        public async Task<RedisResult> EvaluateAsync(IDatabaseAsync database, RedisKey[] keys, RedisValue[] values)
        {
            try
            {
                return await database.ScriptEvaluateAsync(Sha1, keys, values).ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (IsNoScript(ex))
            {
                return await database.ScriptEvaluateAsync(Text, keys, values).ConfigureAwait(false);
            }
        }

        /// <summary>The same, synchronously (bounded by the sync timeout).</summary>
        public RedisResult Evaluate(IDatabase database, RedisKey[] keys, RedisValue[] values)
        {
            try
            {
                return database.ScriptEvaluate(Sha1, keys, values);
            }
            catch (RedisServerException ex) when (IsNoScript(ex))
            {
                return database.ScriptEvaluate(Text, keys, values);
            }
        }

        private static bool IsNoScript(RedisServerException ex) => ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal);
    }
}
