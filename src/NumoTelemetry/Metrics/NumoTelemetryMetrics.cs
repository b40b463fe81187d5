using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using NumoTelemetry.Privacy;
using NumoTelemetry.Records;

namespace NumoTelemetry.Metrics;

/// <summary>
/// NumoTelemetry's instruments, on meter <see cref="MeterName"/>. Every tag has bounded cardinality:
/// route templates, the nine standard methods (else <c>_OTHER</c>), status classes, browser/OS families, device types, the bot flag,
/// countries and consent levels, each behind a cardinality guard. No identifier, pseudonym or raw
/// path is ever a tag.
/// </summary>
internal sealed class NumoTelemetryMetrics
{
    /// <summary>The meter name to pass to <c>AddMeter</c>.</summary>
    public const string MeterName = "NumoTelemetry";

    private static readonly string[] s_statusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _consent;
    private readonly Counter<long> _networks;
    private readonly Counter<long> _dropped;
    private readonly Histogram<double> _pipelineLag;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _signals;
    private readonly Counter<long> _skipped;
    private readonly TagValueGuard _routes;
    private readonly TagValueGuard _browsers;
    private readonly TagValueGuard _systems;
    private readonly TagValueGuard _countries;
    private readonly TagValueGuard _asns;
    private readonly TagValueGuard _signalNames;
    private Func<long>? _queueDepth;

    public NumoTelemetryMetrics(IMeterFactory meterFactory, IOptions<NumoTelemetryOptions> options)
    {
        var max = Math.Max(1, options.Value.Metrics.MaxValuesPerTag);
        _routes = new TagValueGuard(max);
        _browsers = new TagValueGuard(max);
        _systems = new TagValueGuard(max);
        _countries = new TagValueGuard(Math.Max(max, 250));
        _asns = new TagValueGuard(max);
        _signalNames = new TagValueGuard(max);

        var meter = meterFactory.Create(MeterName);
        _requestDuration = meter.CreateHistogram<double>(
            "numo.request.duration",
            unit: "s",
            description: "Duration of requests seen by NumoTelemetry, by route template, browser, OS, device type, bot flag and country. Its count is the request count.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
        _consent = meter.CreateCounter<long>("numo.request.consent", unit: "{request}", description: "Requests by consent level.");
        _networks = meter.CreateCounter<long>("numo.request.network", unit: "{request}", description: "Requests by client country and autonomous system (when GeoIP is on); AS numbers beyond the cardinality guard become 'other'.");
        _dropped = meter.CreateCounter<long>("numo.pipeline.records.dropped", unit: "{record}", description: "Records dropped because the pipeline queue was full or a capture step failed.");
        _pipelineLag = meter.CreateHistogram<double>(
            "numo.pipeline.lag",
            unit: "s",
            description: "Time from a request's end to its record reaching the processors.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _errors = meter.CreateCounter<long>("numo.errors", unit: "{error}", description: "Failures inside NumoTelemetry, by stage. A failure never fails the request.");
        _signals = meter.CreateCounter<long>("numo.signals", unit: "{signal}", description: "Application signals raised by the site (login failed, login succeeded, ...).");
        _skipped = meter.CreateCounter<long>("numo.capture.skipped", unit: "{value}", description: "Input values skipped during capture, by reason (malformed forwarding chain, invalid phone number, phone header from an untrusted peer, too many signals, ...).");
        meter.CreateObservableGauge("numo.pipeline.queue.depth", () => _queueDepth?.Invoke() ?? 0, unit: "{record}", description: "Records waiting in the pipeline queue.");
    }

    public void SetQueueDepthSource(Func<long> depth) => _queueDepth = depth;

    public bool RequestDurationEnabled => _requestDuration.Enabled;

    public void RecordRequest(in RequestRecord record)
    {
        if (_requestDuration.Enabled)
        {
            var ua = record.UserAgent;
            var tags = new TagList
            {
                { "http.route", _routes.Fold(record.Route) },
                { "http.request.method", MethodTag(record.Method) },
                { "numo.http.status_class", StatusClass(record.StatusCode) },
                { "user_agent.name", _browsers.Fold(ua.Browser.Family) },
                { "user_agent.os.name", _systems.Fold(ua.Os.Family) },
                { "numo.device.type", ua.DeviceType },
                { "geo.country.iso_code", record.Geo?.CountryIsoCode is { } country ? _countries.Fold(country) : "unknown" },
            };

            // OpenTelemetry: "bot" or "test" for synthetic traffic, absent otherwise.
            if (ua.SyntheticType is { } synthetic)
            {
                tags.Add("user_agent.synthetic.type", synthetic);
            }

            _requestDuration.Record(record.Duration.TotalSeconds, in tags);
        }

        if (_networks.Enabled && record.Geo is { } geo)
        {
            _networks.Add(
                1,
                new KeyValuePair<string, object?>("geo.country.iso_code", geo.CountryIsoCode is { } c ? _countries.Fold(c) : "unknown"),
                new KeyValuePair<string, object?>("numo.client.asn", geo.AsnText is { } asn ? _asns.Fold(asn) : "unknown"));
        }

        if (_consent.Enabled)
        {
            _consent.Add(1, new KeyValuePair<string, object?>("numo.consent.level", ConsentTag(record.Consent)));
        }

        if (_signals.Enabled)
        {
            foreach (var signal in record.Signals)
            {
                _signals.Add(
                    1,
                    new KeyValuePair<string, object?>("numo.signal", SignalTag(signal.Kind)),
                    new KeyValuePair<string, object?>("numo.signal.name", signal.Name is null ? "none" : _signalNames.Fold(signal.Name)));
            }
        }
    }

    public void RecordDropped(string reason) => _dropped.Add(1, new KeyValuePair<string, object?>("numo.reason", reason));

    public void RecordLag(TimeSpan lag) => _pipelineLag.Record(Math.Max(0, lag.TotalSeconds));

    public void RecordError(string stage) => _errors.Add(1, new KeyValuePair<string, object?>("numo.stage", stage));

    public void RecordSkipped(string reason) => _skipped.Add(1, new KeyValuePair<string, object?>("numo.reason", reason));

    /// <summary>
    /// OpenTelemetry <c>http.request.method</c>: one of the nine standard methods (case-sensitive, as sent), any other
    /// method <c>_OTHER</c>. The record's method is already canonical (capture scrubs it); this keeps the tag bounded for
    /// any record.
    /// </summary>
    internal static string MethodTag(string? method) => FreeTextScrubber.Method(method);

    internal static string StatusClass(int status) => status is >= 100 and < 600 ? s_statusClasses[(status / 100) - 1] : "other";

    internal static string ConsentTag(ConsentLevel level) => level switch
    {
        ConsentLevel.Full => "full",
        ConsentLevel.AnalyticsWithoutCookies => "analytics",
        _ => "fraud_prevention_only",
    };

    internal static string SignalTag(SignalKind kind) => kind switch
    {
        SignalKind.LoginFailed => "login_failed",
        SignalKind.LoginSucceeded => "login_succeeded",
        SignalKind.SignUp => "signup",
        SignalKind.Identified => "identified",
        SignalKind.AccountClosed => "account_closed",
        SignalKind.Custom => "custom",
        _ => "none",
    };
}
