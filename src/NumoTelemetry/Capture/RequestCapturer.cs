using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using NumoTelemetry.Enrichment;
using NumoTelemetry.Metrics;
using NumoTelemetry.Privacy;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Capture;

/// <summary>
/// Capture: <see cref="Begin"/> on the request thread reads the request (keeping references to its raw header values)
/// and settles consent and the visitor cookie; <see cref="CompleteDeferred"/>, on the pipeline's consumer or on demand,
/// resolves the client, pseudonymises every identifier at once and looks up cached facts (User-Agent, enrichers, risk).
/// Raw values stop here.
/// </summary>
internal sealed class RequestCapturer
{
    internal const string UnmatchedRoute = "(unmatched)";

    private readonly NumoTelemetryOptions _options;
    private readonly Pseudonymizer _pseudonymizer;
    private readonly ClientIpResolver _clientIp;
    private readonly ConsentResolver _consent;
    private readonly IUserAgentParser _userAgents;
    private readonly UserAgentParser? _builtInParser;
    private readonly UserAgentMemo _userAgentMemo;
    private readonly UserAgentRedactor _userAgentRedactor;
    private readonly IRequestEnricher[] _enrichers;
    private readonly IRiskProvider _risk;
    private readonly NumoTelemetryMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly StringInterner _interner;
    private readonly StringInterner _languages = new(256);
    private readonly string?[] _twoLetterLanguages = new string?[26 * 26];
    private readonly CookielessVisitorCache _cookieless;
    private readonly VisitorCookieSigner? _visitorSigner;
    private readonly CookieOptions _visitorCookieOptions;
    private readonly string _sessionCookie;
    private readonly string _visitorCookie;
    private readonly string? _consentCookie;
    private readonly string[] _phoneHeaders;
    private readonly NetworkList? _phoneNetworks;
    private readonly string? _callingCode;
    private readonly int _maxUserAgentLength;
    private readonly int _maxPathLength;
    private readonly Action<string> _onSkipped;

    public RequestCapturer(
        IOptions<NumoTelemetryOptions> options,
        Pseudonymizer pseudonymizer,
        IUserAgentParser userAgents,
        IEnumerable<IRequestEnricher> enrichers,
        IRiskProvider risk,
        NumoTelemetryMetrics metrics,
        TimeProvider time)
    {
        _options = options.Value;
        _pseudonymizer = pseudonymizer;
        _clientIp = new ClientIpResolver(_options.ClientIp);
        _consent = new ConsentResolver(_options.Consent);
        _userAgents = userAgents;
        _builtInParser = userAgents as UserAgentParser;
        _userAgentMemo = new UserAgentMemo(Math.Min(4096, _options.Pseudonymization.CacheSize));
        _userAgentRedactor = new UserAgentRedactor(userAgents);
        _enrichers = [.. enrichers];
        _risk = risk;
        _metrics = metrics;
        _time = time;
        var capture = _options.Capture;
        _interner = new StringInterner(capture.MaxInternedValues);
        _cookieless = new CookielessVisitorCache(_options.Pseudonymization.CacheSize);
        _visitorSigner = capture.VerifyVisitorCookies ? new VisitorCookieSigner(pseudonymizer.KeyRing, _options.Pseudonymization.CacheSize) : null;
        _sessionCookie = capture.SessionCookieName;
        _visitorCookie = capture.VisitorCookieName;
        _consentCookie = string.IsNullOrEmpty(_options.Consent.CookieName) ? null : _options.Consent.CookieName;
        _phoneHeaders = capture.PhoneNumberHeaders ?? [];
        _phoneNetworks = capture.PhoneNumberTrustedNetworks is { Length: > 0 } carriers ? new NetworkList(carriers, "Capture:PhoneNumberTrustedNetworks") : null;
        _callingCode = capture.DefaultCountryCallingCode;
        _maxUserAgentLength = Math.Max(16, _options.UserAgents.MaxLength);
        _maxPathLength = Math.Max(16, capture.MaxPathLength);
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

    /// <summary>
    /// The request thread's part of the capture: the cheap facts go straight into the record, the raw values the rest
    /// needs are kept by reference in <see cref="NumoRequestFeature.Raw"/>, and the cookie decisions that must be made
    /// before the response starts (consent, visitor cookie) are made here. <see cref="CompleteDeferred"/> does the rest
    /// (pseudonyms, User-Agent, enrichment, risk), on the pipeline's consumer or, when the request needs it,
    /// through <see cref="NumoRequestFeature.EnsureCaptured"/>.
    /// </summary>
    public void Begin(HttpContext context, NumoRequestFeature feature)
    {
        ref var raw = ref feature.Raw;
        feature.StartTimestamp = _time.GetTimestamp();
        raw.Pending = true;
        feature.Capturer = this;
        feature.Pseudonymizer = _pseudonymizer;
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
        if (_clientIp.ReadsForwardedHeaders(raw.Peer))
        {
            _clientIp.ReadForwardingHeaders(headers, out raw.Forwarded, out raw.XForwardedFor);
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
            // the address the proxies name (see TrustsPhoneHeaders).
            raw.Phone = raw.Peer.HasValue && (_clientIp.IsTrusted(raw.Peer) || TrustsPhoneHeaders(raw.Peer))
                ? PhoneHeader(headers)
                : IgnorePhoneHeaders(headers);
        }

        // Cookies. Only consent and the visitor cookie must be settled now (before the response starts); counts, presence
        // and the session value can wait for the pipeline, which scans the header it is given by reference. The header is
        // scanned here only when it names the consent cookie, or when consent allows issuing the visitor cookie.
        var cookieHeader = headers.Cookie;
        var cookies = default(CookieScan);
        var scanned = false;
        if (_consentCookie is not null && Mentions(cookieHeader, _consentCookie))
        {
            ScanCookies(cookieHeader, ref record, ref raw, ref cookies);
            scanned = true;
        }

        var consent = _consent.Resolve(context, headers, cookies.Consent);
        record.Consent = consent;

        // Only a cookie this site issued verifies; any other value is replaced when consent allows cookies. The check is
        // needed here only to decide that; otherwise the pipeline does it.
        if (consent == ConsentLevel.Full && _options.Capture.IssueVisitorCookie)
        {
            if (!scanned)
            {
                ScanCookies(cookieHeader, ref record, ref raw, ref cookies);
            }

            var visitorId = raw.Visitor.Span;
            var verified = !visitorId.IsEmpty && (_visitorSigner is null || _visitorSigner.Verify(visitorId));
            record.VisitorCookieVerified = verified;
            if (!verified)
            {
                var issued = _visitorSigner?.Issue(feature.EnsureTimestamp(_time)) ?? NewVisitorId();
                context.Response.Cookies.Append(_visitorCookie, issued, _visitorCookieOptions);
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

    /// <summary>
    /// Scans the Cookie header: counts and presence into the record; the session and visitor values kept as slices of the
    /// header, never copied; the consent cookie's value in <paramref name="cookies"/>.
    /// </summary>
    private void ScanCookies(StringValues cookieHeader, ref RequestRecord record, ref RawRequest raw, scoped ref CookieScan cookies)
    {
        for (var i = 0; i < cookieHeader.Count; i++)
        {
            if (cookieHeader[i] is not { } line)
            {
                continue;
            }

            var hadSession = !cookies.Session.IsEmpty;
            var hadVisitor = !cookies.Visitor.IsEmpty;
            cookies.Scan(line, _sessionCookie, _visitorCookie, _consentCookie);
            if (!hadSession && !cookies.Session.IsEmpty)
            {
                raw.Session = SliceOf(line, Cap(cookies.Session));
            }

            if (!hadVisitor && !cookies.Visitor.IsEmpty)
            {
                raw.Visitor = SliceOf(line, Cap(cookies.Visitor));
            }
        }

        record.CookieCount = cookies.Count;
        record.CookieBytes = cookies.Bytes;
        record.HasSessionCookie = !cookies.Session.IsEmpty;
        record.HasVisitorCookie = !cookies.Visitor.IsEmpty;
    }

    /// <summary>
    /// Finishes a capture <see cref="Begin"/> started: pseudonymises every identifier at once, parses the User-Agent
    /// (cached), enriches and scores, then clears the feature's raw values (also when a step throws). <paramref name="utcNow"/> and
    /// <paramref name="timestampNow"/> are one reading of the clock, from which the request's start time is worked out.
    /// </summary>
    public void CompleteDeferred(NumoRequestFeature feature, DateTimeOffset utcNow, long timestampNow)
    {
        ref var record = ref feature.Record;
        ref var raw = ref feature.Raw;
        if (!raw.Pending)
        {
            return;
        }

        try
        {
            if (record.Timestamp == default)
            {
                record.Timestamp = utcNow - _time.GetElapsedTime(feature.StartTimestamp, timestampNow);
            }

            CaptureIdentifiers(ref record, ref raw);
        }
        finally
        {
            raw = default;
        }
    }

    private void CaptureIdentifiers(ref RequestRecord record, ref RawRequest raw)
    {
        var now = record.Timestamp;

        // Client address: peer, then the trusted forwarding chain.
        var client = _clientIp.Resolve(raw.Peer, raw.Forwarded, raw.XForwardedFor, out var source, out var malformed);
        record.ClientIpSource = source;
        record.ForwardedChainMalformed = malformed;
        if (malformed)
        {
            _metrics.RecordSkipped("forwarded_malformed");
        }

        record.ClientIsPrivate = client.IsPrivateOrLocal;
        record.ClientIsIPv6 = client.HasValue && !client.IsIPv4;
        // Each scope's cache tag (epoch and key id), worked out once for every pseudonym of this request.
        var fraudTag = _pseudonymizer.TagOf(PseudonymScope.Fraud, now);
        record.Ip = _pseudonymizer.PseudonymizeAddress(client, PseudonymKind.Ip, fraudTag, PseudonymScope.Fraud);
        record.IpPrefix = _pseudonymizer.PseudonymizeAddress(client, PseudonymKind.IpPrefix, fraudTag, PseudonymScope.Fraud);

        // User-Agent: parsed (cached) and pseudonymised for change detection; never kept raw.
        var userAgent = raw.UserAgent;
        var userAgentHash = CaptureUserAgent(userAgent, fraudTag, ref record);

        // Path: pseudonymised only, for distinct-path counts.
        var path = raw.Path;
        if (!string.IsNullOrEmpty(path))
        {
            var span = path.AsSpan();
            record.Path = _pseudonymizer.PseudonymizeNormalized(PseudonymKind.Path, span.Length > _maxPathLength ? span[.._maxPathLength] : span, fraudTag, PseudonymScope.Fraud);
        }

        // Language, referrer host, campaign: free text the client chose, through the one scrubber.
        var language = HeaderValues.PrimaryLanguage(raw.AcceptLanguage);
        record.Language = language.IsEmpty ? null : FreeTextScrubber.IsSensitive(language) ? FreeTextScrubber.Redacted : LanguageTag(language);
        // Internal navigation (referrer on this site's own host) is not a referrer.
        var host = raw.Host;
        var referrerHost = HeaderValues.ReferrerHost(raw.Referer);
        record.ReferrerHost = referrerHost.IsEmpty || HeaderValues.IsSameHost(referrerHost, host)
            ? null
            : _interner.InternScrubbed(referrerHost, lowerAscii: true);
        var query = raw.Query;
        if (query is not null && query.Contains("utm_", StringComparison.OrdinalIgnoreCase))
        {
            record.UtmSource = Campaign(HeaderValues.QueryValue(query, "utm_source"));
            record.UtmMedium = Campaign(HeaderValues.QueryValue(query, "utm_medium"));
            record.UtmCampaign = Campaign(HeaderValues.QueryValue(query, "utm_campaign"));
        }

        // Cookies the request thread did not need to scan (see Begin).
        if (raw.Cookies.Count != 0)
        {
            var cookies = default(CookieScan);
            ScanCookies(raw.Cookies, ref record, ref raw, ref cookies);
        }

        // Session and visitor: hashed, never kept.
        if (!raw.Session.IsEmpty)
        {
            record.Session = _pseudonymizer.PseudonymizeNormalized(PseudonymKind.Session, raw.Session.Span, fraudTag, PseudonymScope.Fraud);
        }

        var visitorId = raw.Visitor.Span;
        if (!visitorId.IsEmpty)
        {
            if (raw.VerifyVisitor)
            {
                record.VisitorCookieVerified = _visitorSigner is null || _visitorSigner.Verify(visitorId);
            }

            record.Visitor = _pseudonymizer.PseudonymizeNormalized(PseudonymKind.Visitor, visitorId, fraudTag, PseudonymScope.Fraud);
        }

        var consent = record.Consent;
        if (consent == ConsentLevel.Full && !visitorId.IsEmpty)
        {
            record.AnalyticsVisitor = _pseudonymizer.PseudonymizeNormalized(PseudonymKind.Visitor, visitorId, _pseudonymizer.TagOf(PseudonymScope.Analytics, now), PseudonymScope.Analytics);
        }
        else if (consent != ConsentLevel.FraudPreventionOnly && client.HasValue)
        {
            // The raw Host header (Kestrel reuses its string): HostString.Host would allocate a substring per request.
            var site = _options.Capture.SiteId ?? host ?? string.Empty;
            var analyticsTag = _pseudonymizer.TagOf(PseudonymScope.Analytics, now);
            record.AnalyticsVisitor = string.IsNullOrEmpty(userAgent)
                ? _cookieless.Get(_pseudonymizer, client, string.Empty, CookielessVisitorCache.HashOf(string.Empty), site, analyticsTag)
                : _cookieless.Get(_pseudonymizer, client, userAgent, userAgentHash, site, analyticsTag);
        }

        // Carrier header enrichment: E.164 (the value was checked by Begin), pseudonymised, when the client the trusted
        // proxies name is itself trusted with phone headers: a reverse proxy passes a client's own header through.
        var phone = raw.Phone;
        if (phone is not null && !TrustsPhoneHeaders(client))
        {
            _metrics.RecordSkipped("phone_untrusted_peer");
        }
        else if (phone is not null)
        {
            Span<char> e164 = stackalloc char[16];
            var n = IdentifierNormalizer.NormalizePhone(phone, _callingCode, e164);
            if (n > 0)
            {
                record.Phone = _pseudonymizer.PseudonymizeNormalized(PseudonymKind.Phone, e164[..n], fraudTag, PseudonymScope.Fraud);
            }
        }

        EnrichAndScore(client, ref record, _enrichers, _risk, _metrics);
    }

    /// <summary>Finishes the capture of <paramref name="feature"/> on the calling thread (see <see cref="NumoRequestFeature.EnsureCaptured"/>).</summary>
    public void CompleteNow(NumoRequestFeature feature) =>
        CompleteDeferred(feature, _time.GetUtcNow(), _time.GetTimestamp());

    /// <summary>Counts a capture that failed part-way (the record goes on with what was captured).</summary>
    public void CaptureFailed() => _metrics.RecordError("capture");

    /// <summary>The time source, for the consumer's one clock reading per batch.</summary>
    internal TimeProvider Time => _time;

    private static ReadOnlyMemory<char> SliceOf(string line, ReadOnlySpan<char> part) =>
        line.AsSpan().Overlaps(part, out var offset) ? line.AsMemory(offset, part.Length) : default;

    /// <summary>
    /// The last capture steps, shared with offline replay: enrichment from caches (GeoIP, reverse-DNS verdicts) and the
    /// current risk. Each failure is counted, never thrown.
    /// </summary>
    internal static void EnrichAndScore(in ClientAddress client, ref RequestRecord record, IRequestEnricher[] enrichers, IRiskProvider risk, NumoTelemetryMetrics metrics)
    {
        for (var i = 0; i < enrichers.Length; i++)
        {
            try
            {
                enrichers[i].Enrich(client, ref record);
            }
            catch (Exception)
            {
                metrics.RecordError("enrich");
            }
        }

        try
        {
            record.Risk = risk.GetRisk(in record);
        }
        catch (Exception)
        {
            metrics.RecordError("risk");
        }
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
    /// Fills the record's User-Agent facts (redacted parse result and pseudonym) and returns the hash of the
    /// User-Agent's text for the cookieless visitor cache: from <see cref="UserAgentMemo"/> when this very string
    /// was seen in this epoch, else from the parser's cache and the pseudonym cache (then remembered).
    /// </summary>
    private int CaptureUserAgent(string? userAgent, long fraudTag, ref RequestRecord record)
    {
        if (string.IsNullOrEmpty(userAgent))
        {
            record.UserAgent = _userAgentRedactor.Apply(_userAgents.Parse(userAgent));
            return 0;
        }

        var parser = _builtInParser;
        if (parser is not null && _userAgentMemo.TryGet(userAgent, fraudTag, out var info, out var id, out var hash))
        {
            parser.CountCachedParse();
            record.UserAgent = info;
            record.UserAgentId = id;
            return hash;
        }

        // A site's own parser is asked every time (its results are its business); only the built-in one is memoised.
        var stable = false;
        var parsed = parser is not null ? parser.Parse(userAgent, out stable) : _userAgents.Parse(userAgent);
        info = _userAgentRedactor.Apply(parsed);
        var ua = userAgent.AsSpan();
        id = _pseudonymizer.PseudonymizeNormalized(PseudonymKind.UserAgent, ua.Length > _maxUserAgentLength ? ua[.._maxUserAgentLength] : ua, fraudTag, PseudonymScope.Fraud);
        hash = CookielessVisitorCache.HashOf(userAgent);
        record.UserAgent = info;
        record.UserAgentId = id;
        if (stable)
        {
            _userAgentMemo.Set(userAgent, fraudTag, info, id, hash);
        }

        return hash;
    }

    /// <summary>Test hook: whether the User-Agent memo still holds this raw User-Agent.</summary>
    internal bool UserAgentMemoHolds(string userAgent) => _userAgentMemo.Holds(userAgent);

    /// <summary>
    /// A campaign value: percent-decoded, then scrubbed (the whole value, before it is cut) and interned. A value longer than
    /// <see cref="FreeTextScrubber.MaxScanLength"/> is replaced without being decoded.
    /// </summary>
    private string? Campaign(ReadOnlySpan<char> raw)
    {
        if (raw.IsEmpty)
        {
            return null;
        }

        if (raw.Length > FreeTextScrubber.MaxScanLength)
        {
            return FreeTextScrubber.Redacted;
        }

        if (raw.IndexOfAny('%', '+') >= 0)
        {
            try
            {
                return _interner.InternScrubbed(Uri.UnescapeDataString(raw.ToString().Replace('+', ' ')), lowerAscii: false);
            }
            catch (UriFormatException)
            {
                return null;
            }
        }

        return _interner.InternScrubbed(raw, lowerAscii: false);
    }

    /// <summary>
    /// The interned lower-case primary language tag. Two-letter tags (nearly all of them) come from a fixed table of
    /// the 676 possible ones, filled as they are seen: no hashing, and bounded without evicting anything.
    /// </summary>
    private string LanguageTag(ReadOnlySpan<char> language)
    {
        if (language.Length == 2 && char.IsAsciiLetter(language[0]) && char.IsAsciiLetter(language[1]))
        {
            var index = ((language[0] | 0x20) - 'a') * 26 + ((language[1] | 0x20) - 'a');
            if (Volatile.Read(ref _twoLetterLanguages[index]) is { } known)
            {
                return known;
            }

            var tag = _languages.InternLowerAscii(language);
            Volatile.Write(ref _twoLetterLanguages[index], tag);
            return tag;
        }

        return _languages.InternLowerAscii(language);
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

            if (IdentifierNormalizer.NormalizePhone(phone, _callingCode, stackalloc char[16]) == 0)
            {
                _metrics.RecordSkipped("phone_invalid");
                continue;
            }

            return phone;
        }

        return null;
    }

    /// <summary>
    /// Whether phone headers are believed from <paramref name="client"/>: the address that reached the site, after walking
    /// its trusted proxies (the socket peer when there are none). It is in
    /// <see cref="CaptureOptions.PhoneNumberTrustedNetworks"/>, or, when that is empty, a trusted proxy: a carrier gateway
    /// listed as a trusted proxy that connects directly is believed, a client relayed by the site's own proxy is not.
    /// </summary>
    private bool TrustsPhoneHeaders(in ClientAddress client) =>
        _phoneNetworks is { } networks ? networks.Contains(client) : client.HasValue && _clientIp.IsTrusted(client);

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

    private static ReadOnlySpan<char> Cap(ReadOnlySpan<char> value) =>
        value.Length > IdentifierNormalizer.MaxLength ? value[..IdentifierNormalizer.MaxLength] : value;

    private static string? FirstValue(StringValues values) => values.Count == 0 ? null : values[0];

    private static string NewVisitorId()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }
}
