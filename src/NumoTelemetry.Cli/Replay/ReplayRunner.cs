using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Alerts;
using NumoTelemetry.Capture;
using NumoTelemetry.Cli.Commands;
using NumoTelemetry.Fraud;
using NumoTelemetry.Internal;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Privacy;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Cli.Replay;

/// <summary>
/// Replays recorded requests through the same pipeline a site runs: each log line becomes an HTTP request that the core's
/// <c>RequestReader</c> and <c>RequestFinisher</c> capture and pseudonymise (client address, User-Agent, cookies, session, signals), and the records go to the
/// same fraud engine in batches, in simulated time (the clock is the line's timestamp). Alerts are written as JSON lines.
/// </summary>
internal sealed class ReplayRunner : IDisposable
{
    private const int BatchSize = 1024;

    /// <summary>The longest method, route, event or User-Agent shared between lines; a longer one is made anew for its line.</summary>
    internal const int MaxPooledLength = 4_096;

    private readonly ReplayClock _clock = new();
    private readonly ServiceProvider _services;
    private readonly RequestReader _reader;
    private readonly FraudProcessor _processor;
    private readonly JsonLinesAlertSink _sink;
    private readonly string _sessionPrefix;
    private readonly NumoTelemetryOptions _options;
    private CaptureWorker? _testWorker;
    private readonly Dictionary<string, long> _skipped = new(StringComparer.Ordinal);
    private readonly List<IHostedService> _started = [];

    /// <summary>Builds the pipeline. Throws <see cref="OptionsValidationException"/> or <see cref="KeyRingException"/> on bad settings.</summary>
    /// <param name="warnings">Where the enrichment's warnings go (the tool's stderr): a GeoIP directory without a usable database, a file that does not open.</param>
    public ReplayRunner(IConfiguration? configuration, string? keyFile, Action<INumoTelemetryBuilder>? configureBuilder, Stream alertOutput, TextWriter? warnings = null)
    {
        _sink = new JsonLinesAlertSink(alertOutput);
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            if (warnings is not null)
            {
                logging.AddProvider(new TextWriterLoggerProvider(warnings)).AddFilter<TextWriterLoggerProvider>(static (category, level) =>
                    level >= LogLevel.Warning && category is not null && category.StartsWith("NumoTelemetry.GeoIP", StringComparison.Ordinal));
            }
        });
        services.AddSingleton<TimeProvider>(_clock);
        Action<NumoTelemetryOptions> replay = o => ForReplay(o, keyFile);
        var builder = configuration is null
            ? services.AddNumoTelemetry(replay)
            : services.AddNumoTelemetry(configuration.GetSection(NumoTelemetryOptions.SectionName).Exists() ? configuration.GetSection(NumoTelemetryOptions.SectionName) : configuration, replay);
        configureBuilder?.Invoke(builder);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertSink>(_sink));

        // Replay is the pipeline's consumer itself (records go straight to the fraud processor, in simulated time): the site's
        // background pipeline is not started. Every other hosted service is, as the site's host starts them.
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(IHostedService) && services[i].ImplementationType == typeof(PipelineHostedService))
            {
                services.RemoveAt(i);
            }
        }

        _services = services.BuildServiceProvider();
        try
        {
            Start();
        }
        catch
        {
            _services.Dispose();
            throw;
        }

        var options = _services.GetRequiredService<IOptions<NumoTelemetryOptions>>().Value; // validates
        _options = options;
        _sessionPrefix = options.Capture.SessionCookieName + "=";
        _reader = _services.GetRequiredService<RequestReader>();
        _processor = _services.GetServices<IRequestRecordProcessor>().OfType<FraudProcessor>().Single();
    }

    /// <summary>
    /// What a site's host does before the first request: validates the options registered with <c>ValidateOnStart</c>, then starts
    /// the hosted services in registration order. Enrichers are made ready there (GeoIP opens its databases in its hosted service;
    /// before that, every lookup finds nothing), so without this step a replay would run with no geo, AS or network facts.
    /// </summary>
    private void Start()
    {
        _services.GetService<IStartupValidator>()?.Validate();
        foreach (var hosted in _services.GetServices<IHostedService>())
        {
            hosted.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
            _started.Add(hosted);
        }
    }

    /// <summary>Capture threads (one per core, at most 4); the alerts do not depend on it.</summary>
    internal int CaptureThreads { get; set; } = Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>
    /// Tests: parses and captures one JSON line on a worker of its own, through the replay's fast capture (when it handles the line) or
    /// as an HTTP request through the core's <c>RequestReader</c> (<paramref name="viaHttp"/>). Returns whether the fast path was taken.
    /// </summary>
    internal bool CaptureLine(ReadOnlySpan<byte> line, bool viaHttp, out RequestRecord record)
    {
        _testWorker ??= new CaptureWorker(this, ReplayFormat.Jsonl);
        return _testWorker.CaptureLine(line, viaHttp, out record);
    }

    /// <summary>Whether no key was configured and a throw-away key was made (alerts then cannot be matched to `numo pseudonymize`).</summary>
    public bool EphemeralKey { get; private set; }

    public ReplaySummary Run(Stream input, ReplayFormat format)
    {
        // Three stages. This thread only splits the input into chunks of lines (a copy of their bytes); capture workers, one per core,
        // parse and capture whole chunks in parallel (the core's RequestReader and RequestFinisher are thread-safe: it serves concurrent requests in a
        // site); one consumer runs the fraud engine over the records in input order, in batches of 1,024 records exactly as a
        // sequential replay would cut them, so the alerts do not depend on which worker captured which chunk. Each stage keeps its
        // own simulated "now" (the clock is per thread).
        var workers = CaptureThreads;
        var chunks = workers * 3;
        using var cancel = new CancellationTokenSource();
        using var free = new BlockingCollection<Chunk>();
        using var work = new BlockingCollection<Chunk>();
        using var ordered = new BlockingCollection<Chunk>();
        for (var i = 0; i < chunks; i++)
        {
            free.Add(new Chunk());
        }

        var watch = Stopwatch.StartNew();
        var tasks = StartWorkers(workers, format, work, cancel.Token);

        long replayed = 0;
        var last = DateTimeOffset.MinValue;
        var consumer = Start(() =>
        {
            try
            {
                Consume(ordered, free, ref replayed, ref last, cancel.Token);
            }
            catch
            {
                cancel.Cancel(); // the reader and the workers stop too
                throw;
            }
        });
        tasks.Add(consumer);

        long lines = 0;
        string? readError = null;
        try
        {
            lines = Split(new LineReader(input), free, ordered, work, cancel.Token, out readError);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // a stage failed: its exception is thrown below
        }
        finally
        {
            work.CompleteAdding();
            ordered.CompleteAdding();
            WaitAll(tasks, cancel);
        }

        _clock.Set(last);
        _processor.FlushAlerts();
        _sink.Flush();
        watch.Stop();
        return new ReplaySummary(lines, replayed, _skipped, watch.Elapsed, _sink.Count, _sink.ByRule, readError);
    }

    /// <summary>The capture stage: <paramref name="count"/> workers, each capturing whole chunks taken from <paramref name="work"/>.</summary>
    private List<Task> StartWorkers(int count, ReplayFormat format, BlockingCollection<Chunk> work, CancellationToken token)
    {
        var tasks = new List<Task>(count + 1);
        for (var w = 0; w < count; w++)
        {
            var worker = new CaptureWorker(this, format);
            tasks.Add(Start(() =>
            {
                foreach (var chunk in work.GetConsumingEnumerable(token))
                {
                    try
                    {
                        worker.Capture(chunk);
                    }
                    catch (Exception ex)
                    {
                        chunk.Error = ex;
                    }
                    finally
                    {
                        chunk.Done.Set();
                    }
                }
            }));
        }

        return tasks;
    }

    /// <summary>
    /// The reading stage: splits the input into chunks of <see cref="BatchSize"/> lines, each handed to the fraud stage (in order)
    /// and to the capture workers. Returns the lines read; <paramref name="readError"/> says why the input ended early, if it did.
    /// </summary>
    private static long Split(LineReader reader, BlockingCollection<Chunk> free, BlockingCollection<Chunk> ordered, BlockingCollection<Chunk> work, CancellationToken token, out string? readError)
    {
        readError = null;
        long lines = 0;
        var current = free.Take(token);
        while (true)
        {
            ReadOnlySpan<byte> line;
            bool tooLong;
            try
            {
                if (!reader.TryReadLine(out line, out tooLong))
                {
                    break;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ObjectDisposedException)
            {
                readError = ex.Message; // the input failed part way: replay what was read, and say so
                break;
            }

            lines++;
            current.Add(line, tooLong);
            if (current.Lines == BatchSize)
            {
                ordered.Add(current, token);
                work.Add(current, token);
                current = free.Take(token);
            }
        }

        if (current.Lines > 0)
        {
            ordered.Add(current, token);
            work.Add(current, token);
        }

        return lines;
    }

    /// <summary>The fraud stage: chunks in input order, their records cut into batches of <see cref="BatchSize"/> as a sequential replay would.</summary>
    private void Consume(BlockingCollection<Chunk> ordered, BlockingCollection<Chunk> free, ref long replayed, ref DateTimeOffset last, CancellationToken token)
    {
        var batch = new RequestRecord[BatchSize];
        var staged = 0;
        foreach (var chunk in ordered.GetConsumingEnumerable(token))
        {
            chunk.Done.Wait(token);
            if (chunk.Error is { } error)
            {
                throw new InvalidOperationException("A replay capture worker failed.", error);
            }

            foreach (var reason in chunk.Skips)
            {
                Skip(reason);
            }

            var records = chunk.Records;
            var count = chunk.Count;
            for (var i = 0; i < count; i++)
            {
                last = records[i].Timestamp > last ? records[i].Timestamp : last;
            }

            replayed += count;
            if (staged == 0 && count == BatchSize)
            {
                Process(records, count); // the common case: a full chunk is a batch as it is
            }
            else
            {
                for (var i = 0; i < count;)
                {
                    var n = Math.Min(count - i, BatchSize - staged);
                    Array.Copy(records, i, batch, staged, n);
                    staged += n;
                    i += n;
                    if (staged == BatchSize)
                    {
                        Process(batch, staged);
                        staged = 0;
                    }
                }

                Array.Clear(records, 0, count);
            }

            chunk.Reset();
            free.Add(chunk);
        }

        if (staged > 0)
        {
            Process(batch, staged);
        }
    }

    private static Task Start(Action action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Waits for every stage; the first that fails cancels the others, and its exception is thrown.</summary>
    private static void WaitAll(List<Task> tasks, CancellationTokenSource cancel)
    {
        var pending = new List<Task>(tasks);
        while (pending.Count > 0)
        {
            var done = Task.WaitAny([.. pending]);
            if (pending[done].IsFaulted)
            {
                cancel.Cancel();
            }

            pending.RemoveAt(done);
        }

        var failed = tasks.FirstOrDefault(t => t.IsFaulted && t.Exception!.InnerException is not OperationCanceledException)
            ?? tasks.FirstOrDefault(t => t.IsFaulted);
        if (failed is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failed.Exception!.InnerException!).Throw();
        }
    }

    /// <summary>
    /// Up to <see cref="BatchSize"/> input lines (a copy of their bytes, or a mark for one too long to keep) and, once captured, their
    /// records and skip reasons: one record or one reason per line.
    /// </summary>
    private sealed class Chunk
    {
        private byte[] _bytes = new byte[1 << 18];
        private readonly int[] _ends = new int[BatchSize];
        private readonly bool[] _tooLong = new bool[BatchSize];
        private int _used;

        public readonly RequestRecord[] Records = new RequestRecord[BatchSize];
        public readonly List<string> Skips = [];
        public readonly ManualResetEventSlim Done = new(false);
        public int Lines;
        public int Count;
        public Exception? Error;

        public void Add(ReadOnlySpan<byte> line, bool tooLong)
        {
            _tooLong[Lines] = tooLong;
            if (_bytes.Length - _used < line.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + line.Length));
            }

            line.CopyTo(_bytes.AsSpan(_used));
            _used += line.Length;
            _ends[Lines++] = _used;
        }

        public bool IsTooLong(int i) => _tooLong[i];

        public ReadOnlySpan<byte> Line(int i)
        {
            var start = i == 0 ? 0 : _ends[i - 1];
            return _bytes.AsSpan(start, _ends[i] - start);
        }

        public void Reset()
        {
            _used = 0;
            Lines = 0;
            Count = 0;
            Skips.Clear();
            Error = null;
            Done.Reset();
        }
    }

    /// <summary>One capture thread's state: the parsed request, the HTTP context it becomes, and caches of recent values.</summary>
    private sealed class CaptureWorker(ReplayRunner runner, ReplayFormat format)
    {
        private readonly ReplayReader _fast = new(runner._reader.Finisher, runner._options, runner._services.GetRequiredService<NumoTelemetry.Metrics.NumoTelemetryMetrics>());
        private readonly BoundedInterner _pool = new(16_384, MaxPooledLength);
        private readonly RecentStrings _recent = new(1 << 16);
        private readonly char[] _chars = new char[1 << 16];
        private readonly ReplayRequest _request = new();
        private readonly NumoRequestFeature _feature = new();
        private readonly DefaultHttpContext _context = new();
        private readonly (ClientAddress Key, IPAddress? Value)[] _addresses = new (ClientAddress, IPAddress?)[1 << 16];

        public void Capture(Chunk chunk)
        {
            var request = _request;
            for (var i = 0; i < chunk.Lines; i++)
            {
                if (chunk.IsTooLong(i))
                {
                    chunk.Skips.Add("too_long");
                    continue;
                }

                var line = chunk.Line(i);
                if (line.Trim(" \t"u8).IsEmpty)
                {
                    chunk.Skips.Add("empty");
                    continue;
                }

                string? error;
                bool ok;
                try
                {
                    ok = format == ReplayFormat.Jsonl
                        ? JsonLineParser.TryParse(line, request, _pool, _recent, out error)
                        : CombinedLineParser.TryParse(line, request, _pool, _chars, out error);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The parsers refuse bad lines with a reason; should one still throw, that line is skipped, not the replay.
                    chunk.Skips.Add("parse_error");
                    continue;
                }

                if (!ok)
                {
                    chunk.Skips.Add(error ?? "invalid");
                    continue;
                }

                try
                {
                    Capture(request);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    chunk.Skips.Add("capture_error");
                    continue;
                }

                chunk.Records[chunk.Count++] = _feature.Record;
            }
        }

        public bool CaptureLine(ReadOnlySpan<byte> line, bool viaHttp, out RequestRecord record)
        {
            if (!JsonLineParser.TryParse(line, _request, _pool, _recent, out var error))
            {
                throw new FormatException(error);
            }

            var fast = Capture(_request, viaHttp);
            record = _feature.Record;
            return fast;
        }

        private bool Capture(ReplayRequest request, bool viaHttp = false)
        {
            var feature = _feature;
            runner._clock.Set(request.Timestamp);

            feature.Reset();

            // The session id goes through the same cookie parsing as a live request. One header string per distinct (cookie, session).
            string? cookie = null;
            if (request.HasSession)
            {
                cookie = request.HasCookie
                    ? _recent.Concat(request.CookieText, "; ", runner._sessionPrefix, request.SessionText)
                    : _recent.Concat(default, default, runner._sessionPrefix, request.SessionText);
            }
            else if (request.HasCookie)
            {
                cookie = request.Cookie ?? _recent.Get(request.CookieText);
            }

            var fast = !viaHttp && _fast.Handles(request);
            if (fast)
            {
                _fast.Capture(request, cookie, request.Timestamp, feature);
                RaiseSignal(request, feature);
                feature.Record.ResponseContentLength = null;
            }
            else
            {
                CaptureHttp(request, cookie);
            }

            ref var record = ref feature.Record;
            record.StatusCode = request.Status;
            record.Duration = TimeSpan.FromMilliseconds(request.DurationMs ?? 0);
            record.Route = request.Route is { } route ? Privacy.FreeTextScrubber.Scrub(route) : RequestReader.UnmatchedRoute; // a log's route may be a raw path
            return fast;
        }

        /// <summary>The line as an HTTP request through the core's <c>RequestReader</c> (extra headers, campaign queries).</summary>
        private void CaptureHttp(ReplayRequest request, string? cookie)
        {
            var context = _context;
            var feature = _feature;
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

            if (cookie is not null)
            {
                http.Headers.Cookie = cookie;
            }

            context.Response.StatusCode = request.Status;
            runner._reader.Begin(context, feature);
            feature.EnsureCaptured(); // replay is the pipeline's consumer itself: capture the whole record now
            RaiseSignal(request, feature);
            runner._reader.Complete(context, feature, failed: false);
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
            case "otp_requested":
                feature.AddOtp(SignalKind.OtpRequested, request.Phone);
                IdentifyAlso(user, feature);
                break;
            case "otp_verified":
                feature.AddOtp(SignalKind.OtpVerified, request.Phone);
                IdentifyAlso(user, feature);
                break;
            default:
                feature.AddSignal(SignalKind.Custom, user, null, request.Event);
                break;
        }
    }

    /// <summary>A line with a one-time-code event and a user also identifies the request's account (as a live site's signed-in request would).</summary>
    private static void IdentifyAlso(string? user, NumoRequestFeature feature)
    {
        if (user is not null)
        {
            feature.AddSignal(SignalKind.Identified, user, null, null);
        }
    }

    private void Process(RequestRecord[] batch, int count)
    {
        _clock.Set(batch[count - 1].Timestamp);
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

        // A line's phone header is taken as logged: the log is the site's own, and its "ip" is the client, not the carrier's proxy.
        o.Capture.PhoneNumberTrustedNetworks = ["0.0.0.0/0", "::/0"];
        o.RequestLog.LoggerEnabled = false;
        o.RequestLog.FileEnabled = false;
        o.Alerts.Enabled = true;
        o.Alerts.LoggerEnabled = false;
        o.Alerts.Webhook.Url = null; // replay never calls out
        o.Enforcement.Mode = EnforcementMode.Monitor;

        // Fraud detection only: no analytics visitor (saves one keyed hash per new client); fraud pseudonyms do not depend on consent.
        o.Consent.DefaultLevel = Records.ConsentLevel.FraudPreventionOnly;
        o.Consent.CookieName = null;

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
        try
        {
            for (var i = _started.Count - 1; i >= 0; i--)
            {
                _started[i].StopAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
        }
        finally
        {
            _started.Clear();
            _sink.Dispose();
            _services.Dispose();
        }
    }
}
