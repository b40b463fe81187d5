using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NumoTelemetry.Alerts;
using NumoTelemetry.Capture;
using NumoTelemetry.Fraud;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Cli.Replay;

/// <summary>
/// Replays recorded requests through the same pipeline a site runs: each log line becomes an HTTP request that the core's
/// <c>RequestCapturer</c> captures and pseudonymises (client address, User-Agent, cookies, session, signals), and the records go to the
/// same fraud engine in batches, in simulated time (the clock is the line's timestamp). Alerts are written as JSON lines.
/// </summary>
internal sealed class ReplayRunner : IDisposable
{
    private const int BatchSize = 1024;

    private readonly ReplayClock _clock = new();
    private readonly ServiceProvider _services;
    private readonly RequestCapturer _capturer;
    private readonly FraudProcessor _processor;
    private readonly JsonLinesAlertSink _sink;
    private readonly string _sessionPrefix;
    private readonly RecentStrings _recent = new(1 << 16);
    private readonly (ClientAddress Key, IPAddress? Value)[] _addresses = new (ClientAddress, IPAddress?)[1 << 16];
    private readonly Dictionary<string, long> _skipped = new(StringComparer.Ordinal);

    /// <summary>Builds the pipeline. Throws <see cref="OptionsValidationException"/> or <see cref="KeyRingException"/> on bad settings.</summary>
    public ReplayRunner(IConfiguration? configuration, string? keyFile, Action<INumoTelemetryBuilder>? configureBuilder, Stream alertOutput)
    {
        _sink = new JsonLinesAlertSink(alertOutput);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(_clock);
        Action<NumoTelemetryOptions> replay = o => ForReplay(o, keyFile);
        var builder = configuration is null
            ? services.AddNumoTelemetry(replay)
            : services.AddNumoTelemetry(configuration.GetSection(NumoTelemetryOptions.SectionName).Exists() ? configuration.GetSection(NumoTelemetryOptions.SectionName) : configuration, replay);
        configureBuilder?.Invoke(builder);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertSink>(_sink));
        _services = services.BuildServiceProvider();
        var options = _services.GetRequiredService<IOptions<NumoTelemetryOptions>>().Value; // validates
        _sessionPrefix = options.Capture.SessionCookieName + "=";
        _capturer = _services.GetRequiredService<RequestCapturer>();
        _processor = _services.GetServices<IRequestRecordProcessor>().OfType<FraudProcessor>().Single();
    }

    /// <summary>Whether no key was configured and a throw-away key was made (alerts then cannot be matched to `numo pseudonymize`).</summary>
    public bool EphemeralKey { get; private set; }

    public ReplaySummary Run(Stream input, ReplayFormat format)
    {
        // Two stages on two threads: this one reads, parses and captures lines into record batches; a consumer runs the fraud
        // engine over the batches in order. Each stage keeps its own simulated "now" (the clock is per thread).
        using var full = new BlockingCollection<(RequestRecord[] Batch, int Count)>(boundedCapacity: 4);
        using var free = new BlockingCollection<RequestRecord[]>();
        for (var i = 0; i < 6; i++)
        {
            free.Add(new RequestRecord[BatchSize]);
        }

        var watch = Stopwatch.StartNew();
        var consumer = Task.Factory.StartNew(
            () =>
            {
                foreach (var (batch, count) in full.GetConsumingEnumerable())
                {
                    _clock.Set(batch[count - 1].Timestamp);
                    Process(batch, count);
                    free.Add(batch);
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        var reader = new LineReader(input);
        var pool = new StringPool(16_384);
        var chars = new char[1 << 16];
        var request = new ReplayRequest();
        var feature = new NumoRequestFeature();
        var context = new DefaultHttpContext();
        var current = free.Take();
        var count = 0;
        long lines = 0;
        long replayed = 0;
        var last = DateTimeOffset.MinValue;
        try
        {
            while (reader.TryReadLine(out var line))
            {
                lines++;
                if (line.Trim(" \t"u8).IsEmpty)
                {
                    Skip("empty");
                    continue;
                }

                string? error;
                var ok = format == ReplayFormat.Jsonl
                    ? JsonLineParser.TryParse(line, request, pool, _recent, out error)
                    : CombinedLineParser.TryParse(line, request, pool, chars, out error);
                if (!ok)
                {
                    Skip(error ?? "invalid");
                    continue;
                }

                try
                {
                    Capture(request, context, feature);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Skip("capture_error");
                    continue;
                }

                current[count++] = feature.Record;
                last = feature.Record.Timestamp > last ? feature.Record.Timestamp : last;
                replayed++;
                if (count == current.Length)
                {
                    full.Add((current, count));
                    current = free.Take();
                    count = 0;
                }
            }

            if (count > 0)
            {
                full.Add((current, count));
            }
        }
        finally
        {
            full.CompleteAdding();
            consumer.GetAwaiter().GetResult();
        }

        _clock.Set(last);
        _processor.FlushAlerts();
        _sink.Flush();
        watch.Stop();
        if (reader.TooLong > 0)
        {
            _skipped["too_long"] = reader.TooLong;
        }

        return new ReplaySummary(lines, replayed, _skipped, watch.Elapsed, _sink.Count, _sink.ByRule);
    }

    private void Capture(ReplayRequest request, DefaultHttpContext context, NumoRequestFeature feature)
    {
        _clock.Set(request.Timestamp);
        var http = context.Request;
        http.Headers.Clear();
        context.Response.Headers.Clear();
        http.Method = request.Method;
        http.Scheme = "https";
        http.Protocol = request.Protocol ?? "HTTP/1.1";
        http.Host = new HostString("replay");
        http.Path = new PathString(request.Path);
        http.QueryString = request.Query is null ? QueryString.Empty : new QueryString(request.Query);
        context.Connection.RemoteIpAddress = AddressOf(request.Client);
        if (request.UserAgent is not null)
        {
            http.Headers.UserAgent = request.UserAgent;
        }

        if (request.Referer is not null)
        {
            http.Headers.Referer = request.Referer;
        }

        foreach (var (name, value) in request.Headers)
        {
            http.Headers.Append(name, value);
        }

        // The session id goes through the same cookie parsing as a live request. One header string per distinct (cookie, session).
        if (request.HasSession)
        {
            http.Headers.Cookie = request.HasCookie
                ? _recent.Concat(request.CookieText, "; ", _sessionPrefix, request.SessionText)
                : _recent.Concat(default, default, _sessionPrefix, request.SessionText);
        }
        else if (request.HasCookie)
        {
            http.Headers.Cookie = request.Cookie ?? _recent.Get(request.CookieText);
        }

        context.Response.StatusCode = request.Status;
        feature.Reset();
        _capturer.Begin(context, feature);
        RaiseSignal(request, feature);
        _capturer.Complete(context, feature, failed: false);
        ref var record = ref feature.Record;
        record.StatusCode = request.Status;
        record.Duration = TimeSpan.FromMilliseconds(request.DurationMs ?? 0);
        record.Route = request.Route ?? RequestCapturer.UnmatchedRoute;
    }

    private static void RaiseSignal(ReplayRequest request, NumoRequestFeature feature)
    {
        var user = request.User;
        switch (request.Event)
        {
            case null:
                if (user is not null)
                {
                    feature.AddSignal(SignalKind.Identified, user, null, null);
                }

                break;
            case "login_succeeded":
                feature.AddSignal(SignalKind.LoginSucceeded, user, null, null);
                break;
            case "login_failed":
                feature.AddSignal(SignalKind.LoginFailed, user, null, null);
                break;
            case "signup":
                feature.AddSignal(SignalKind.SignUp, user, null, null);
                break;
            default:
                feature.AddSignal(SignalKind.Custom, user, null, request.Event);
                break;
        }
    }

    /// <summary>The <see cref="IPAddress"/> of a client, from a direct-mapped cache (a log repeats its clients).</summary>
    private IPAddress? AddressOf(in ClientAddress client)
    {
        var bits = client.Bits;
        ref var slot = ref _addresses[(int)((ulong)bits ^ (ulong)(bits >> 64) ^ ((ulong)bits >> 16)) & (_addresses.Length - 1)];
        if (slot.Value is not null && slot.Key == client)
        {
            return slot.Value;
        }

        var address = client.ToIPAddress();
        slot = (client, address);
        return address;
    }

    private void Process(RequestRecord[] batch, int count)
    {
        var pending = _processor.ProcessAsync(new ReadOnlyMemory<RequestRecord>(batch, 0, count), CancellationToken.None);
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }

        Array.Clear(batch, 0, count);
    }

    private void Skip(string reason) => _skipped[reason] = _skipped.TryGetValue(reason, out var n) ? n + 1 : 1;

    private void ForReplay(NumoTelemetryOptions o, string? keyFile)
    {
        o.Enabled = true;
        o.Capture.IssueVisitorCookie = false; // replay never invents visitors
        o.RequestLog.LoggerEnabled = false;
        o.RequestLog.FileEnabled = false;
        o.Alerts.Enabled = true;
        o.Alerts.LoggerEnabled = false;
        o.Alerts.Webhook.Url = null; // replay never calls out
        o.Enforcement.Mode = EnforcementMode.Monitor;

        // Fraud detection only: no analytics visitor (saves one keyed hash per new client); fraud pseudonyms do not depend on consent.
        o.Consent.DefaultLevel = Privacy.ConsentLevel.FraudPreventionOnly;
        o.Consent.CookieName = null;

        // A log holds far more distinct sessions and paths than a site sees per minute: a larger pseudonym cache saves HMACs.
        o.Pseudonymization.CacheSize = Math.Max(o.Pseudonymization.CacheSize, 1 << 20);
        if (keyFile is not null)
        {
            o.Pseudonymization.KeyFile = Path.GetFullPath(keyFile);
        }

        if (o.Pseudonymization.Keys.Count == 0 && string.IsNullOrWhiteSpace(o.Pseudonymization.KeyFile))
        {
            o.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
            EphemeralKey = true;

            // Without the site's key no visitor cookie can verify: take them as sent rather than count every one as forged.
            o.Capture.VerifyVisitorCookies = false;
        }
    }

    public void Dispose()
    {
        _sink.Dispose();
        _services.Dispose();
    }
}
