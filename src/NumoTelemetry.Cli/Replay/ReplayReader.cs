using NumoTelemetry.Capture;
using NumoTelemetry.Metrics;
using NumoTelemetry.Privacy;
using NumoTelemetry.Records;

namespace NumoTelemetry.Cli.Replay;

/// <summary>
/// The replay's reader of a plain log line (no extra headers, no campaign query): it keeps the line's raw values as
/// <c>RequestReader.Begin</c> keeps those of the equivalent HTTP request (https, Host <c>replay</c>, peer address, User-Agent,
/// Referer, and the Cookie header the runner makes of the line's cookie and session), without building an HTTP context, and
/// hands them to the site's own <see cref="RequestFinisher"/>. <c>ReplayReaderTests</c> compares the two records field by field.
/// Anything else (extra headers, <c>utm_</c> queries, consent settings) goes through <see cref="RequestReader"/> and an HTTP request.
/// One instance per capture thread.
/// </summary>
internal sealed class ReplayReader
{
    private const string Host = "replay";

    private readonly RequestFinisher _finisher;
    private readonly Action<string> _onSkipped;
    private readonly ConsentLevel _consent;

    public ReplayReader(RequestFinisher finisher, NumoTelemetryOptions options, NumoTelemetryMetrics metrics)
    {
        _finisher = finisher;
        _onSkipped = metrics.RecordSkipped;
        _consent = options.Consent.DefaultLevel;

        // What replay configures: fraud-only consent with no consent cookie nor resolver, and no visitor cookie issued. The request
        // thread's decisions are then fixed (consent is the default level, the finisher verifies the visitor cookie); any other
        // setting sends every line through RequestReader.
        Enabled = options.Consent.Resolver is null && string.IsNullOrEmpty(options.Consent.CookieName)
            && _consent == ConsentLevel.FraudPreventionOnly && !options.Capture.IssueVisitorCookie;
    }

    /// <summary>Whether this configuration lets plain lines skip the HTTP request at all.</summary>
    public bool Enabled { get; }

    /// <summary>Whether <paramref name="request"/> is a plain line this reader handles (else use <see cref="RequestReader"/>).</summary>
    public bool Handles(ReplayRequest request) =>
        Enabled && request.Headers.Count == 0
        && (request.Query is null || request.Query.IndexOf("utm_", StringComparison.OrdinalIgnoreCase) < 0);

    /// <summary>
    /// Captures <paramref name="request"/> at <paramref name="now"/> into <paramref name="feature"/>: the request-side facts and raw
    /// values as <see cref="RequestReader.Begin"/> reads them from the equivalent HTTP request, then the finisher's pass.
    /// <paramref name="cookieHeader"/> is that request's Cookie header (<c>cookie; session-name=session</c>), or <see langword="null"/>.
    /// </summary>
    public void Capture(ReplayRequest request, string? cookieHeader, DateTimeOffset now, NumoRequestFeature feature)
    {
        feature.StartTimestamp = now.UtcTicks;
        feature.Pseudonymizer = _finisher.Pseudonymizer;
        feature.OnSkipped = _onSkipped;
        ref var record = ref feature.Record;
        record.Timestamp = now;
        record.Method = FreeTextScrubber.Method(request.Method);
        record.Scheme = "https";
        record.Protocol = FreeTextScrubber.Protocol(request.Protocol ?? "HTTP/1.1");
        record.RequestContentLength = null;
        record.Route = RequestReader.UnmatchedRoute;
        record.Consent = _consent;

        ref var raw = ref feature.Raw;
        raw.Pending = true;
        raw.VerifyVisitor = true;
        raw.Peer = request.Client;
        raw.UserAgent = request.UserAgent;
        raw.Referer = request.Referer;
        raw.Host = Host;
        raw.Path = request.Path;
        raw.Query = request.Query;
        raw.Cookies = cookieHeader;
        try
        {
            _finisher.Finish(ref record, ref raw);
        }
        finally
        {
            raw = default;
        }
    }
}
