using Microsoft.Extensions.Options;
using NumoTelemetry.Enrichment;
using NumoTelemetry.Internal;
using NumoTelemetry.Metrics;
using NumoTelemetry.Privacy;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Capture;

/// <summary>
/// The capture's second half, from the raw values <see cref="RequestReader"/> (or <c>numo replay</c>) kept: resolves the client,
/// pseudonymises every identifier at once and looks up cached facts (User-Agent, enrichers, risk). It runs on the pipeline's
/// consumer (<see cref="RecordQueue.Drain"/>), or on the request thread when the request needs its risk
/// (<see cref="NumoRequestFeature.EnsureCaptured"/>). Raw values stop here. Thread-safe.
/// </summary>
internal sealed class RequestFinisher
{
    private readonly CaptureRules _rules;
    private readonly Pseudonymizer _pseudonymizer;
    private readonly IUserAgentParser _userAgents;
    private readonly UserAgentParser? _builtInParser;
    private readonly UserAgentMemo _userAgentMemo;
    private readonly UserAgentRedactor _userAgentRedactor;
    private readonly IRequestEnricher[] _enrichers;
    private readonly IRiskProvider _risk;
    private readonly PhoneNumbers _phones;
    private readonly ClientHints _clientHints = new();
    private readonly NumoTelemetryMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly BoundedInterner _interner;
    private readonly BoundedInterner _passedText; // page paths, referrer hosts and campaign values that passed the scrubber whole
    private readonly BoundedInterner _languages = new(256, InternedText.MaxLowerAsciiLength);
    private readonly string? _siteId;
    private readonly int _maxUserAgentLength;
    private readonly int _maxPathLength;

    public RequestFinisher(
        IOptions<NumoTelemetryOptions> options,
        Pseudonymizer pseudonymizer,
        CaptureRules rules,
        IUserAgentParser userAgents,
        IEnumerable<IRequestEnricher> enrichers,
        IRiskProvider risk,
        NumoTelemetryMetrics metrics,
        TimeProvider time)
    {
        var o = options.Value;
        _rules = rules;
        _pseudonymizer = pseudonymizer;
        _userAgents = userAgents;
        _builtInParser = userAgents as UserAgentParser;
        _userAgentMemo = new UserAgentMemo(16_384); // a site sees thousands of User-Agent texts; its traffic is mostly a few dozen
        _userAgentRedactor = new UserAgentRedactor(userAgents);
        _enrichers = [.. enrichers];
        _risk = risk;
        _phones = new PhoneNumbers(pseudonymizer, o, risk);
        _metrics = metrics;
        _time = time;
        _interner = new BoundedInterner(o.Capture.MaxInternedValues, InternedText.MaxLowerAsciiLength);
        _passedText = new BoundedInterner(o.Capture.MaxInternedValues, FreeTextScrubber.MaxLength);
        _siteId = o.Capture.SiteId;
        _maxUserAgentLength = Math.Max(16, o.UserAgents.MaxLength);
        _maxPathLength = Math.Max(16, o.Capture.MaxPathLength);
    }

    /// <summary>The pseudonymizer every pseudonym of a capture comes from.</summary>
    public Pseudonymizer Pseudonymizer => _pseudonymizer;

    /// <summary>The phone numbers of OTP signals (pseudonymised on entry; the prefix's risk for the running request).</summary>
    public PhoneNumbers Phones => _phones;

    /// <summary>The time source, for the consumer's one clock reading per batch.</summary>
    internal TimeProvider Time => _time;

    /// <summary>
    /// Finishes a capture the reader started: fills the record from <see cref="NumoRequestFeature.Raw"/>, then clears the raw values
    /// (also when a step throws). <paramref name="utcNow"/> and <paramref name="timestampNow"/> are one reading of the clock, from
    /// which the request's start time is worked out.
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

            Finish(ref record, ref raw);
        }
        finally
        {
            raw = default;
        }
    }

    /// <summary>Finishes the capture of <paramref name="feature"/> on the calling thread (see <see cref="NumoRequestFeature.EnsureCaptured"/>).</summary>
    public void CompleteNow(NumoRequestFeature feature) =>
        CompleteDeferred(feature, _time.GetUtcNow(), _time.GetTimestamp());

    /// <summary>Counts a capture that failed part-way (the record goes on with what was captured).</summary>
    public void CaptureFailed() => _metrics.RecordError("capture");

    /// <summary>
    /// Fills <paramref name="record"/> (its <see cref="RequestRecord.Timestamp"/> set) from <paramref name="raw"/>: client, User-Agent,
    /// path, free text, cookies and visitors, phone, then enrichment and risk. Does not clear <paramref name="raw"/>.
    /// </summary>
    public void Finish(ref RequestRecord record, ref RawRequest raw)
    {
        var now = record.Timestamp;
        var client = ResolveClient(ref record, ref raw);

        // Each scope's cache tag (epoch and key id), worked out once for every pseudonym of this request.
        var fraudTag = _pseudonymizer.TagOf(PseudonymScope.Fraud, now);
        var analyticsTag = _pseudonymizer.TagOf(PseudonymScope.Analytics, now);
        record.Ip = _pseudonymizer.PseudonymizeAddress(client, PseudonymKind.Ip, fraudTag, PseudonymScope.Fraud);
        record.IpPrefix = _pseudonymizer.PseudonymizeAddress(client, PseudonymKind.IpPrefix, fraudTag, PseudonymScope.Fraud);

        // User-Agent: parsed (cached) and pseudonymised for change detection; never kept raw.
        var userAgentFacts = CaptureUserAgent(raw.UserAgent, fraudTag, analyticsTag, ref record);
        if ((raw.ChUa ?? raw.ChUaPlatform) is not null
            && _clientHints.Merge(record.UserAgent, raw.UserAgent, raw.ChUa, raw.ChUaMobile, raw.ChUaPlatform, raw.ChUaPlatformVersion, raw.ChUaModel) is { } hints)
        {
            record.UserAgent = hints.Info;
            record.ClientHintsMismatch = hints.Mismatch;
        }

        // Path: pseudonymised only, for distinct-path counts.
        var path = raw.Path;
        if (!string.IsNullOrEmpty(path))
        {
            var span = path.AsSpan();
            record.Path = _pseudonymizer.PseudonymizeNormalized(PseudonymKind.Path, span.Length > _maxPathLength ? span[.._maxPathLength] : span, fraudTag, PseudonymScope.Fraud);
            if (string.Equals(record.Method, "GET", StringComparison.Ordinal))
            {
                // A site has far fewer pages than requests: a path that passed before is found by its text, not scanned again.
                record.PagePath = _interner.InternScrubbed(path, lowerAscii: false, _passedText);
            }
        }

        CaptureFreeText(ref record, ref raw);
        CaptureVisitors(ref record, ref raw, client, fraudTag, analyticsTag, userAgentFacts);
        CapturePhone(ref record, ref raw, client, fraudTag);
        EnrichAndScore(client, ref record);
    }

    /// <summary>Test hook: whether the User-Agent memo still holds this raw User-Agent.</summary>
    internal bool UserAgentMemoHolds(string userAgent) => _userAgentMemo.Holds(userAgent);

    /// <summary>Client address: the peer, then the trusted forwarding chain.</summary>
    private ClientAddress ResolveClient(ref RequestRecord record, ref RawRequest raw)
    {
        var client = _rules.ClientIp.Resolve(raw.Peer, raw.Forwarded, raw.XForwardedFor, out var source, out var malformed);
        record.ClientIpSource = source;
        record.ForwardedChainMalformed = malformed;
        if (malformed)
        {
            _metrics.RecordSkipped("forwarded_malformed");
        }

        record.ClientIsPrivate = client.IsPrivateOrLocal;
        record.ClientIsIPv6 = client.HasValue && !client.IsIPv4;
        return client;
    }

    /// <summary>Language, referrer host, campaign: free text the client chose, through the one scrubber.</summary>
    private void CaptureFreeText(ref RequestRecord record, ref RawRequest raw)
    {
        var language = HeaderValues.PrimaryLanguage(raw.AcceptLanguage);
        // A two-letter tag (nearly every one) cannot look like personal data: it goes straight to its table.
        record.Language = language.IsEmpty ? null
            : IsTwoLetterTag(language) || !FreeTextScrubber.IsSensitive(language) ? LanguageTag(language)
            : FreeTextScrubber.Redacted;

        // Internal navigation (referrer on this site's own host) is not a referrer.
        var referrerHost = HeaderValues.ReferrerHost(raw.Referer);
        record.ReferrerHost = referrerHost.IsEmpty || HeaderValues.IsSameHost(referrerHost, raw.Host)
            ? null
            : _interner.InternScrubbed(referrerHost, lowerAscii: true, _passedText);
        var query = raw.Query;
        if (query is not null && query.Contains("utm_", StringComparison.OrdinalIgnoreCase))
        {
            record.UtmSource = Campaign(HeaderValues.QueryValue(query, "utm_source"));
            record.UtmMedium = Campaign(HeaderValues.QueryValue(query, "utm_medium"));
            record.UtmCampaign = Campaign(HeaderValues.QueryValue(query, "utm_campaign"));
        }
    }

    /// <summary>Session, visitor cookie and analytics visitor: hashed, never kept.</summary>
    private void CaptureVisitors(ref RequestRecord record, ref RawRequest raw, in ClientAddress client, long fraudTag, long analyticsTag, UserAgentFacts? userAgentFacts)
    {
        // Cookies the request thread did not need to scan (see RequestReader.Begin).
        if (raw.Cookies.Count != 0)
        {
            var cookies = default(CookieScan);
            _rules.ScanCookies(raw.Cookies, ref record, ref raw, ref cookies);
        }

        if (!raw.Session.IsEmpty)
        {
            record.Session = _pseudonymizer.PseudonymizeNormalized(PseudonymKind.Session, raw.Session.Span, fraudTag, PseudonymScope.Fraud);
        }

        var visitorId = raw.Visitor.Span;
        if (!visitorId.IsEmpty)
        {
            if (raw.VerifyVisitor)
            {
                record.VisitorCookieVerified = _rules.VisitorSigner is not { } signer || signer.Verify(visitorId);
            }

            record.Visitor = _pseudonymizer.PseudonymizeNormalized(PseudonymKind.Visitor, visitorId, fraudTag, PseudonymScope.Fraud);
        }

        var consent = record.Consent;
        if (consent == ConsentLevel.Full && !visitorId.IsEmpty)
        {
            record.AnalyticsVisitor = _pseudonymizer.PseudonymizeNormalized(PseudonymKind.Visitor, visitorId, analyticsTag, PseudonymScope.Analytics);
        }
        else if (consent != ConsentLevel.FraudPreventionOnly && client.HasValue)
        {
            // The raw Host header (Kestrel reuses its string): HostString.Host would allocate a substring per request.
            var site = _siteId ?? raw.Host ?? string.Empty;
            record.AnalyticsVisitor = _pseudonymizer.PseudonymizeCookielessVisitor(VisitorPrefix(raw.UserAgent, userAgentFacts, fraudTag, analyticsTag), client, site);
        }
    }

    /// <summary>
    /// Carrier header enrichment: E.164 (the value was checked by the reader), pseudonymised, when the client the trusted
    /// proxies name is itself trusted with phone headers: a reverse proxy passes a client's own header through.
    /// </summary>
    private void CapturePhone(ref RequestRecord record, ref RawRequest raw, in ClientAddress client, long fraudTag)
    {
        var phone = raw.Phone;
        if (phone is null)
        {
            return;
        }

        if (!_rules.TrustsPhoneHeaders(client))
        {
            _metrics.RecordSkipped("phone_untrusted_peer");
            return;
        }

        Span<char> e164 = stackalloc char[16];
        var n = IdentifierNormalizer.NormalizePhone(phone, _rules.CallingCode, e164);
        if (n > 0)
        {
            record.Phone = _pseudonymizer.PseudonymizeNormalized(PseudonymKind.Phone, e164[..n], fraudTag, PseudonymScope.Fraud);
        }
    }

    /// <summary>The last steps: enrichment from caches (GeoIP, reverse-DNS verdicts) and the current risk. Each failure is counted, never thrown.</summary>
    private void EnrichAndScore(in ClientAddress client, ref RequestRecord record)
    {
        var enrichers = _enrichers;
        for (var i = 0; i < enrichers.Length; i++)
        {
            try
            {
                enrichers[i].Enrich(client, ref record);
            }
            catch (Exception)
            {
                _metrics.RecordError("enrich");
            }
        }

        try
        {
            record.Risk = _risk.GetRisk(in record);
        }
        catch (Exception)
        {
            _metrics.RecordError("risk");
        }
    }

    /// <summary>
    /// Fills the record's User-Agent facts (redacted parse result and pseudonym): from <see cref="UserAgentMemo"/> when this text
    /// was seen in this epoch, else from the parser (and its cache) and the pseudonymizer (then remembered). Returns the facts
    /// the memo holds for this User-Agent, or <see langword="null"/> when it holds none (no header, a site's own parser, a parse
    /// that depends on more than the text, a User-Agent longer than <see cref="UserAgents.UserAgentParserOptions.MaxLength"/>: hashing
    /// and comparing it must stay bounded, and the memo must not hold long text a client chose).
    /// </summary>
    private UserAgentFacts? CaptureUserAgent(string? userAgent, long fraudTag, long analyticsTag, ref RequestRecord record)
    {
        if (string.IsNullOrEmpty(userAgent))
        {
            record.UserAgent = _userAgentRedactor.Apply(_userAgents.Parse(userAgent));
            return null;
        }

        var parser = _builtInParser;
        var memoised = userAgent.Length <= _maxUserAgentLength;
        if (parser is not null && memoised && _userAgentMemo.TryGet(userAgent, fraudTag, out var facts))
        {
            parser.CountCachedParse();
            record.UserAgent = facts.Info;
            record.UserAgentId = facts.Id;
            return facts;
        }

        // A site's own parser is asked every time (its results are its business); only the built-in one is memoised.
        var stable = false;
        var parsed = parser is not null ? parser.Parse(userAgent, out stable) : _userAgents.Parse(userAgent);
        var info = _userAgentRedactor.Apply(parsed);
        var ua = userAgent.AsSpan();
        var id = _pseudonymizer.PseudonymizeNormalized(PseudonymKind.UserAgent, ua.Length > _maxUserAgentLength ? ua[.._maxUserAgentLength] : ua, fraudTag, PseudonymScope.Fraud);
        record.UserAgent = info;
        record.UserAgentId = id;
        if (!memoised || !stable) // stable only from the built-in parser
        {
            return null;
        }

        // The cookieless visitor's start too (nine blocks once per browser and day): one entry, whether or not this request needs it.
        facts = new UserAgentFacts(info, id, _pseudonymizer.CookielessVisitorPrefix(userAgent, analyticsTag));
        _userAgentMemo.Set(userAgent, fraudTag, facts);
        return facts;
    }

    /// <summary>
    /// The start of the cookieless visitor's keyed hash for this User-Agent and day: the memo's, else computed (and, for a
    /// User-Agent the memo holds, remembered with its facts: the first request of a new day).
    /// </summary>
    private Pseudonymizer.VisitorPrefix VisitorPrefix(string? userAgent, UserAgentFacts? facts, long fraudTag, long analyticsTag)
    {
        if (facts is not null && facts.Visitor.Tag == analyticsTag)
        {
            return facts.Visitor;
        }

        var prefix = _pseudonymizer.CookielessVisitorPrefix(userAgent, analyticsTag);
        if (facts is not null && !string.IsNullOrEmpty(userAgent))
        {
            _userAgentMemo.Set(userAgent, fraudTag, facts with { Visitor = prefix });
        }

        return prefix;
    }

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
                return _interner.InternScrubbed(Uri.UnescapeDataString(raw.ToString().Replace('+', ' ')), lowerAscii: false, _passedText);
            }
            catch (UriFormatException)
            {
                return null;
            }
        }

        return _interner.InternScrubbed(raw, lowerAscii: false, _passedText);
    }

    private static bool IsTwoLetterTag(ReadOnlySpan<char> language) =>
        language.Length == 2 && char.IsAsciiLetter(language[0]) && char.IsAsciiLetter(language[1]);

    /// <summary>The interned lower-case primary language tag.</summary>
    private string LanguageTag(ReadOnlySpan<char> language) => _languages.InternLowerAscii(language);
}
