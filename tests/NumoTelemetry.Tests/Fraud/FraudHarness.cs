using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NumoTelemetry.Alerts;
using NumoTelemetry.Capture;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.Feedback;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>A fraud engine over the in-memory store with a fake clock and an alert collector; builds records from raw test values.</summary>
internal sealed class FraudHarness : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services;
    private PhoneNumbers? _phones;

    /// <param name="configure">Changes to the default options.</param>
    /// <param name="key">The pseudonymisation key (a new one by default).</param>
    /// <param name="store">The store the engine uses, made from the in-memory <see cref="Store"/> (the store itself by default).</param>
    public FraudHarness(Action<NumoTelemetryOptions>? configure = null, string? key = null, Func<InMemoryFraudStateStore, IFraudStateStore>? store = null)
    {
        Options = new NumoTelemetryOptions();
        Options.Pseudonymization.Keys["1"] = key ?? KeyRing.GenerateKey();
        configure?.Invoke(Options);
        Time = new FakeTimeProvider(Start);
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        Metrics = new FraudMetrics(_services.GetRequiredService<IMeterFactory>());
        Pseudonymizer = new Pseudonymizer(KeyRing.FromOptions(Options.Pseudonymization), Options.Pseudonymization);
        Store = new InMemoryFraudStateStore(Options.Fraud.MaxSubjects, Options.Fraud.MaxStateBytes);
        Cache = new RiskCache(Options.Fraud.RiskCacheSize, Options.Fraud.ScoreHalfLife);
        Lists = new FraudListBook(Options.Fraud.MaxListEntries);
        Feedback = new FraudFeedback(Microsoft.Extensions.Options.Options.Create(Options), Lists, Metrics, Time, NullLoggerFactory.Instance);
        Processor = new FraudProcessor(Microsoft.Extensions.Options.Options.Create(Options), store?.Invoke(Store) ?? Store, Cache, [Alerts], Metrics, NullLoggerFactory.Instance, Time, feedback: Feedback);
        RiskProvider = new CachedRiskProvider(Cache, Microsoft.Extensions.Options.Options.Create(Options), Lists);
    }

    public NumoTelemetryOptions Options { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>The meter factory the engine's metrics are made from (for a <c>MetricCollector</c>).</summary>
    public IMeterFactory MeterFactory => _services.GetRequiredService<IMeterFactory>();

    public FraudMetrics Metrics { get; }

    public Pseudonymizer Pseudonymizer { get; }

    public InMemoryFraudStateStore Store { get; }

    public RiskCache Cache { get; }

    public FraudProcessor Processor { get; }

    public CachedRiskProvider RiskProvider { get; }

    public CollectingAlertSink Alerts { get; } = new();

    /// <summary>The fraud team's lists this engine and risk provider read.</summary>
    public FraudListBook Lists { get; }

    /// <summary>The feedback interface over <see cref="Lists"/>.</summary>
    public FraudFeedback Feedback { get; }

    /// <summary>Runs records in one batch (the clock set to the last record's time).</summary>
    public void Run(params RequestRecord[] records)
    {
        if (records.Length == 0)
        {
            return;
        }

        var last = records[^1].Timestamp;
        if (last > Time.GetUtcNow())
        {
            Time.SetUtcNow(last);
        }

        Processor.ProcessAsync(records, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Sends every open group now.</summary>
    public void FlushAlerts() => Processor.FlushAlerts();

    public Pseudonym P(PseudonymKind kind, string value, DateTimeOffset? at = null) => Pseudonymizer.Pseudonymize(kind, value, at ?? Start);

    public SubjectKey Subject(SubjectKind kind, string value) => kind switch
    {
        SubjectKind.Asn => SubjectKey.ForAsn(long.Parse(value, System.Globalization.CultureInfo.InvariantCulture)),
        SubjectKind.PhonePrefix => SubjectKey.ForPhonePrefix(ulong.Parse(value.TrimStart('+'), System.Globalization.CultureInfo.InvariantCulture)),
        SubjectKind.Site => SubjectKey.Site,
        _ => SubjectKey.From(kind, P(SubjectKey.PseudonymKindOf(kind), value)),
    };

    public RequestRecord Record(SimRequest request)
    {
        var at = request.At;
        var p = Pseudonymizer;
        ClientAddress.TryParse(request.Ip, out var address);
        var record = new RequestRecord
        {
            Timestamp = at,
            Method = request.Method,
            Route = request.Path,
            StatusCode = request.Status,
            UserAgent = UserAgentInfo.Empty,
            Ip = p.PseudonymizeAddress(address, PseudonymKind.Ip, at),
            IpPrefix = p.PseudonymizeAddress(address, PseudonymKind.IpPrefix, at),
            Path = p.PseudonymizeNormalized(PseudonymKind.Path, request.Path, at, PseudonymScope.Fraud),
            UserAgentId = string.IsNullOrEmpty(request.UserAgent) ? default : p.PseudonymizeNormalized(PseudonymKind.UserAgent, request.UserAgent, at, PseudonymScope.Fraud),
            Session = request.Session is null ? default : p.Pseudonymize(PseudonymKind.Session, request.Session, at),
            Visitor = request.Visitor is null ? default : p.Pseudonymize(PseudonymKind.Visitor, request.Visitor, at),
            HasSessionCookie = request.Session is not null,
            HasVisitorCookie = request.Visitor is not null && !request.VisitorIssued,
            VisitorCookieVerified = request.Visitor is not null && !request.VisitorIssued && !request.ForgedVisitor,
            VisitorCookieIssued = request.VisitorIssued,
            Geo = request.Geo,
            Crawler = request.Crawler,
        };
        if (request.Phone is not null)
        {
            _phones ??= new PhoneNumbers(Pseudonymizer, Options, RiskProvider);
            _phones.Capture(request.Phone, at, ref record);
        }

        if (request.Signal != SignalKind.None)
        {
            record.AddSignal(new AppSignal(request.Signal, request.User is null ? default : p.Pseudonymize(PseudonymKind.User, request.User, at), default, null));
        }

        return record;
    }

    public void Dispose()
    {
        Pseudonymizer.Dispose();
        _services.Dispose();
    }
}

/// <summary>Collects alerts.</summary>
internal sealed class CollectingAlertSink : IAlertSink
{
    private readonly List<FraudAlert> _alerts = new();

    public IReadOnlyList<FraudAlert> All
    {
        get
        {
            lock (_alerts)
            {
                return [.. _alerts];
            }
        }
    }

    public void Publish(FraudAlert alert)
    {
        lock (_alerts)
        {
            _alerts.Add(alert);
        }
    }
}

/// <summary>One simulated request with raw values (pseudonymised by <see cref="FraudHarness.Record"/>).</summary>
internal sealed record SimRequest(DateTimeOffset At, string Ip, string Path)
{
    public string Method { get; init; } = "GET";

    public int Status { get; init; } = 200;

    public string? Session { get; init; }

    public string? Visitor { get; init; }

    public bool VisitorIssued { get; init; }

    /// <summary>Whether <see cref="Visitor"/> is a made-up cookie (fails verification).</summary>
    public bool ForgedVisitor { get; init; }

    public string UserAgent { get; init; } = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

    public SignalKind Signal { get; init; }

    public string? User { get; init; }

    public GeoFacts? Geo { get; init; }

    public CrawlerVerification Crawler { get; init; }

    /// <summary>The number of an <see cref="SignalKind.OtpRequested"/> or <see cref="SignalKind.OtpVerified"/> signal, as the site received it.</summary>
    public string? Phone { get; init; }

    public string Scenario { get; init; } = "benign";
}
