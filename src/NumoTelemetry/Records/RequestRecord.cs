using System.Runtime.InteropServices;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Records;

/// <summary>
/// One request, pseudonymised: the single record that metrics, fraud detection, aggregates and the
/// request log consume. It holds no raw identifier: addresses, cookies, session ids, user names and
/// phone numbers appear only as <see cref="Pseudonym"/> values. Strings it holds are shared
/// (interned) low-cardinality values: route templates, browser families, referrer hosts.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public struct RequestRecord
{
    /// <summary>Maximum number of application signals kept per request (further ones are counted as truncated).</summary>
    public const int MaxSignals = 4;

    private SignalBuffer _signals;

    // ---- request ----

    /// <summary>When the request started (UTC).</summary>
    public DateTimeOffset Timestamp { get; set; }

    /// <summary>Time from the middleware seeing the request to the response being produced.</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>HTTP method: one of the nine standard methods (canonical shared string), any other is <c>_OTHER</c>.</summary>
    public string Method { get; set; }

    /// <summary><c>http</c> or <c>https</c>.</summary>
    public string Scheme { get; set; }

    /// <summary>Protocol, for example <c>HTTP/1.1</c> or <c>HTTP/2</c>; <c>_OTHER</c> for anything but a known HTTP version.</summary>
    public string Protocol { get; set; }

    /// <summary>The route template of the matched endpoint (never the raw path), or <c>(unmatched)</c>.</summary>
    public string Route { get; set; }

    /// <summary>Response status code.</summary>
    public int StatusCode { get; set; }

    /// <summary>Request Content-Length, when sent.</summary>
    public long? RequestContentLength { get; set; }

    /// <summary>Response Content-Length, when known.</summary>
    public long? ResponseContentLength { get; set; }

    /// <summary>Primary language subtag of <c>Accept-Language</c> (two or three letters, for example <c>en</c>), or <see langword="null"/>.</summary>
    public string? Language { get; set; }

    /// <summary>
    /// The host of the referrer (never the full URL), or <see langword="null"/>. Like every free-text value the client chooses, it is
    /// <c>(redacted)</c> when it looks like an e-mail address, a phone number, a token or a secret, and at most 64 characters.
    /// </summary>
    public string? ReferrerHost { get; set; }

    /// <summary><c>utm_source</c> of the request URL (decoded; <c>(redacted)</c> or cut as <see cref="ReferrerHost"/>), or <see langword="null"/>.</summary>
    public string? UtmSource { get; set; }

    /// <summary><c>utm_medium</c> of the request URL (decoded; <c>(redacted)</c> or cut as <see cref="ReferrerHost"/>), or <see langword="null"/>.</summary>
    public string? UtmMedium { get; set; }

    /// <summary><c>utm_campaign</c> of the request URL (decoded; <c>(redacted)</c> or cut as <see cref="ReferrerHost"/>), or <see langword="null"/>.</summary>
    public string? UtmCampaign { get; set; }

    private UserAgentInfo? _userAgent;

    /// <summary>The parsed User-Agent (shared instance); <see cref="UserAgentInfo.Empty"/> when none was parsed.</summary>
    public UserAgentInfo UserAgent
    {
        readonly get => _userAgent ?? UserAgentInfo.Empty;
        set => _userAgent = value;
    }

    // ---- client ----

    /// <summary>Where the client IP came from.</summary>
    public ClientIpSource ClientIpSource { get; set; }

    /// <summary>Whether a malformed entry stopped the forwarding-chain walk (a signal of spoofing or a broken proxy).</summary>
    public bool ForwardedChainMalformed { get; set; }

    /// <summary>Whether the client address is private, loopback or link-local.</summary>
    public bool ClientIsPrivate { get; set; }

    /// <summary>Whether the client address is IPv6.</summary>
    public bool ClientIsIPv6 { get; set; }

    /// <summary>The client IP (fraud scope).</summary>
    public Pseudonym Ip { get; set; }

    /// <summary>The client's network prefix (fraud scope).</summary>
    public Pseudonym IpPrefix { get; set; }

    /// <summary>The session id (fraud scope), when a session cookie was sent.</summary>
    public Pseudonym Session { get; set; }

    /// <summary>The visitor cookie (fraud scope), when one was sent or issued.</summary>
    public Pseudonym Visitor { get; set; }

    /// <summary>
    /// The analytics visitor: daily-rotating, from the visitor cookie at <see cref="ConsentLevel.Full"/>, or cookieless
    /// (keyed hash of IP, User-Agent and site) at <see cref="ConsentLevel.AnalyticsWithoutCookies"/>; empty at
    /// <see cref="ConsentLevel.FraudPreventionOnly"/>.
    /// </summary>
    public Pseudonym AnalyticsVisitor { get; set; }

    /// <summary>The carrier-enriched phone number (fraud scope), when configured and sent.</summary>
    public Pseudonym Phone { get; set; }

    /// <summary>The User-Agent string (fraud scope), to see a User-Agent change within a session.</summary>
    public Pseudonym UserAgentId { get; set; }

    /// <summary>The request path (fraud scope), for distinct-path counts.</summary>
    public Pseudonym Path { get; set; }

    // ---- cookies and consent ----

    /// <summary>Number of cookies sent.</summary>
    public int CookieCount { get; set; }

    /// <summary>Total size of the Cookie header(s) in characters.</summary>
    public int CookieBytes { get; set; }

    /// <summary>Whether the session cookie was sent.</summary>
    public bool HasSessionCookie { get; set; }

    /// <summary>Whether the visitor cookie was sent.</summary>
    public bool HasVisitorCookie { get; set; }

    /// <summary>
    /// Whether the visitor cookie sent was issued by this site (its tag verified with the key ring; see
    /// <see cref="Capture.CaptureOptions.VerifyVisitorCookies"/>). A made-up or altered cookie is sent but not verified.
    /// </summary>
    public bool VisitorCookieVerified { get; set; }

    /// <summary>Whether a new visitor cookie was issued on this response.</summary>
    public bool VisitorCookieIssued { get; set; }

    /// <summary>The consent level of the request.</summary>
    public ConsentLevel Consent { get; set; }

    // ---- enrichment ----

    /// <summary>Geo and network facts (shared instance), or <see langword="null"/> when GeoIP is off.</summary>
    public GeoFacts? Geo { get; set; }

    /// <summary>Crawler verification of a claimed crawler.</summary>
    public CrawlerVerification Crawler { get; set; }

    /// <summary>The registrable domain of the forward-confirmed reverse DNS name (for example <c>comcast.net</c>), or <see langword="null"/>.</summary>
    public string? NetworkDomain { get; set; }

    /// <summary>The risk known when the request started.</summary>
    public NumoRisk Risk { get; set; }

    /// <summary>Whether the request was blocked or challenged by enforcement.</summary>
    public bool Enforced { get; set; }

    // ---- signals ----

    /// <summary>Number of signals in <see cref="Signals"/>.</summary>
    public int SignalCount { get; private set; }

    /// <summary>Whether more than <see cref="MaxSignals"/> signals were raised (the rest were dropped and counted).</summary>
    public bool SignalsTruncated { get; private set; }

    /// <summary>The application signals raised while the request ran.</summary>
    [System.Diagnostics.CodeAnalysis.UnscopedRef]
    public ReadOnlySpan<AppSignal> Signals => ((ReadOnlySpan<AppSignal>)_signals)[..SignalCount];

    /// <summary>Appends a signal; returns <see langword="false"/> when the record is full.</summary>
    public bool AddSignal(in AppSignal signal)
    {
        if (SignalCount >= MaxSignals)
        {
            SignalsTruncated = true;
            return false;
        }

        _signals[SignalCount++] = signal;
        return true;
    }

    /// <summary>The first signal of <paramref name="kind"/>, if any.</summary>
    public readonly bool TryGetSignal(SignalKind kind, out AppSignal signal)
    {
        for (var i = 0; i < SignalCount; i++)
        {
            if (_signals[i].Kind == kind)
            {
                signal = _signals[i];
                return true;
            }
        }

        signal = default;
        return false;
    }

    /// <summary>The user pseudonym of the first signal that names one, or empty.</summary>
    public readonly Pseudonym User
    {
        get
        {
            for (var i = 0; i < SignalCount; i++)
            {
                if (!_signals[i].User.IsEmpty)
                {
                    return _signals[i].User;
                }
            }

            return default;
        }
    }
}
