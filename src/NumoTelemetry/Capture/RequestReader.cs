using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using NumoTelemetry.Metrics;
using NumoTelemetry.Privacy;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Capture;

/// <summary>
/// The capture's first half, on the request thread: <see cref="Begin"/> reads the request (keeping references to its raw header
/// values in <see cref="NumoRequestFeature.Raw"/>) and settles consent and the visitor cookie before the response starts;
/// <see cref="Complete"/> reads the response. <see cref="RequestFinisher"/> does the rest. No locks, no per-request allocation.
/// </summary>
internal sealed class RequestReader
{
    internal const string UnmatchedRoute = "(unmatched)";

    private readonly CaptureRules _rules;
    private readonly RequestFinisher _finisher;
    private readonly ConsentResolver _consent;
    private readonly NumoTelemetryMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly CookieOptions _visitorCookieOptions;
    private readonly string[] _phoneHeaders;
    private readonly bool _issueVisitorCookie;
    private readonly Action<string> _onSkipped;

    public RequestReader(
        IOptions<NumoTelemetryOptions> options,
        CaptureRules rules,
        RequestFinisher finisher,
        NumoTelemetryMetrics metrics,
        TimeProvider time)
    {
        var o = options.Value;
        _rules = rules;
        _finisher = finisher;
        _consent = new ConsentResolver(o.Consent);
        _metrics = metrics;
        _time = time;
        var capture = o.Capture;
        _phoneHeaders = capture.PhoneNumberHeaders ?? [];
        _issueVisitorCookie = capture.IssueVisitorCookie;
        _visitorCookieOptions = new CookieOptions
        {
            HttpOnly = true,
            Secure = true,
            SameSite = SameSiteMode.Lax,
            Path = "/",
            MaxAge = capture.VisitorCookieLifetime,
            IsEssential = false,
        };
        _onSkipped = _metrics.RecordSkipped;
    }

    /// <summary>The second half of every capture this reader starts.</summary>
    public RequestFinisher Finisher => _finisher;

    /// <summary>
    /// The request thread's part of the capture: the cheap facts go straight into the record, the raw values the rest
    /// needs are kept by reference in <see cref="NumoRequestFeature.Raw"/>, and the cookie decisions that must be made
    /// before the response starts (consent, visitor cookie) are made here. <see cref="RequestFinisher"/> does the rest
    /// (pseudonyms, User-Agent, enrichment, risk), on the pipeline's consumer or, when the request needs it,
    /// through <see cref="NumoRequestFeature.EnsureCaptured"/>.
    /// </summary>
    public void Begin(HttpContext context, NumoRequestFeature feature)
    {
        ref var raw = ref feature.Raw;
        feature.StartTimestamp = _time.GetTimestamp();
        raw.Pending = true;
        feature.Finisher = _finisher;
        feature.Pseudonymizer = _finisher.Pseudonymizer;
        feature.OnSkipped = _onSkipped;
        ref var record = ref feature.Record;

        // The request and connection features through the collection's indexer, not HttpRequest/ConnectionInfo: after
        // routing has set the endpoint (a new feature revision), those fetch their feature again with a generic virtual
        // call, ≈ 100 ns a request on Kestrel; the indexer is a type switch there (a dictionary lookup on a test context).
        var features = context.Features;
        var request = features[typeof(IHttpRequestFeature)] as IHttpRequestFeature
            ?? throw new InvalidOperationException("The request has no IHttpRequestFeature."); // counted as a failed capture
        var headers = request.Headers;
        record.Method = FreeTextScrubber.Method(request.Method); // a client may send any token as its method
        record.Scheme = string.Equals(request.Scheme, "https", StringComparison.OrdinalIgnoreCase) ? "https" : "http";
        record.Protocol = FreeTextScrubber.Protocol(request.Protocol);
        record.RequestContentLength = headers.ContentLength;
        record.Route = UnmatchedRoute; // until the request has been routed (a risk read during the request sees this)

        // Client address: the peer; the forwarding headers only when the peer is a trusted proxy.
        raw.Peer = ClientAddress.FromIPAddress((features[typeof(IHttpConnectionFeature)] as IHttpConnectionFeature)?.RemoteIpAddress);
        var clientIp = _rules.ClientIp;
        if (clientIp.ReadsForwardedHeaders(raw.Peer))
        {
            clientIp.ReadForwardingHeaders(headers, out raw.Forwarded, out raw.XForwardedFor);
        }

        raw.UserAgent = FirstValue(headers.UserAgent);
        raw.AcceptLanguage = FirstValue(headers.AcceptLanguage);
        raw.Referer = FirstValue(headers.Referer);
        raw.Host = FirstValue(headers.Host);
        raw.Path = request.Path;
        raw.Query = request.QueryString;
        if (_phoneHeaders.Length != 0)
        {
            // Like forwarding headers, a phone header is believed only from the carrier's (or the site's own) proxies. A peer
            // that is neither is the client itself (its header is never read); behind a trusted proxy the finisher checks
            // the address the proxies name (see CaptureRules.TrustsPhoneHeaders).
            raw.Phone = raw.Peer.HasValue && (clientIp.IsTrusted(raw.Peer) || _rules.TrustsPhoneHeaders(raw.Peer))
                ? PhoneHeader(headers)
                : IgnorePhoneHeaders(headers);
        }

        SettleCookies(context, headers, feature);
    }

    /// <summary>
    /// Cookies. Only consent and the visitor cookie must be settled now (before the response starts); counts, presence
    /// and the session value can wait for the pipeline, which scans the header it is given by reference. The header is
    /// scanned here only when it names the consent cookie, or when consent allows issuing the visitor cookie.
    /// </summary>
    private void SettleCookies(HttpContext context, IHeaderDictionary headers, NumoRequestFeature feature)
    {
        ref var record = ref feature.Record;
        ref var raw = ref feature.Raw;
        var cookieHeader = headers.Cookie;
        var cookies = default(CookieScan);
        var scanned = false;
        var consentCookie = _rules.ConsentCookie;
        if (consentCookie is not null && Mentions(cookieHeader, consentCookie))
        {
            _rules.ScanCookies(cookieHeader, ref record, ref raw, ref cookies);
            scanned = true;
        }

        var consent = _consent.Resolve(context, headers, cookies.Consent);
        record.Consent = consent;

        // Only a cookie this site issued verifies; any other value is replaced when consent allows cookies. The check is
        // needed here only to decide that; otherwise the pipeline does it.
        if (consent == ConsentLevel.Full && _issueVisitorCookie)
        {
            if (!scanned)
            {
                _rules.ScanCookies(cookieHeader, ref record, ref raw, ref cookies);
            }

            var visitorId = raw.Visitor.Span;
            var signer = _rules.VisitorSigner;
            var verified = !visitorId.IsEmpty && (signer is null || signer.Verify(visitorId));
            record.VisitorCookieVerified = verified;
            if (!verified)
            {
                var issued = signer?.Issue(feature.EnsureTimestamp(_time)) ?? NewVisitorId();
                context.Response.Cookies.Append(_rules.VisitorCookie, issued, _visitorCookieOptions);
                record.VisitorCookieIssued = true;
                raw.Visitor = issued.AsMemory();
            }
        }
        else
        {
            raw.VerifyVisitor = true; // the pipeline checks the visitor cookie, if the request has one
            if (!scanned)
            {
                raw.Cookies = cookieHeader;
            }
        }
    }

    /// <summary>Whether any line of the Cookie header contains <paramref name="name"/> (a vectorised search, no parsing).</summary>
    private static bool Mentions(StringValues cookieHeader, string name)
    {
        for (var i = 0; i < cookieHeader.Count; i++)
        {
            if (cookieHeader[i] is { } line && line.Contains(name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Captures the response side.</summary>
    public void Complete(HttpContext context, NumoRequestFeature feature, bool failed)
    {
        ref var record = ref feature.Record;
        record.Duration = _time.GetElapsedTime(feature.StartTimestamp);
        // Features through the indexer, not HttpResponse or GetEndpoint()'s Features.Get<T> (see Begin).
        var features = context.Features;
        var response = features[typeof(IHttpResponseFeature)] as IHttpResponseFeature
            ?? throw new InvalidOperationException("The request has no IHttpResponseFeature."); // counted, the record dropped
        record.StatusCode = failed && !response.HasStarted ? StatusCodes.Status500InternalServerError : response.StatusCode;
        record.ResponseContentLength = response.Headers.ContentLength;

        var endpoint = (features[typeof(IEndpointFeature)] as IEndpointFeature)?.Endpoint;
        record.Route = endpoint switch
        {
            RouteEndpoint { RoutePattern.RawText: { } template } => template,
            not null => endpoint.DisplayName ?? UnmatchedRoute,
            null => UnmatchedRoute,
        };
    }

    /// <summary>
    /// Carrier header enrichment: the first configured header whose value is a phone number (checked here, on the rare
    /// requests that carry one, so that an invalid value in one header does not hide a valid one in the next). Its own
    /// method: a stackalloc in <see cref="Begin"/> would keep the JIT from tiering it up with profile data.
    /// </summary>
    private string? PhoneHeader(IHeaderDictionary headers)
    {
        for (var i = 0; i < _phoneHeaders.Length; i++)
        {
            if (FirstValue(headers[_phoneHeaders[i]]) is not { Length: > 0 } phone)
            {
                continue;
            }

            if (IdentifierNormalizer.NormalizePhone(phone, _rules.CallingCode, stackalloc char[16]) == 0)
            {
                _metrics.RecordSkipped("phone_invalid");
                continue;
            }

            return phone;
        }

        return null;
    }

    /// <summary>Counts the phone headers an untrusted peer sent (their values are never read).</summary>
    private string? IgnorePhoneHeaders(IHeaderDictionary headers)
    {
        for (var i = 0; i < _phoneHeaders.Length; i++)
        {
            if (headers.ContainsKey(_phoneHeaders[i]))
            {
                _metrics.RecordSkipped("phone_untrusted_peer");
                break;
            }
        }

        return null;
    }

    private static string? FirstValue(StringValues values) => values.Count == 0 ? null : values[0];

    private static string NewVisitorId()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }
}
