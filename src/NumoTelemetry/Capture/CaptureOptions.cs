namespace NumoTelemetry.Capture;

/// <summary>What the middleware captures per request.</summary>
public sealed class CaptureOptions
{
    /// <summary>The cookie that holds the session id (pseudonymised, never kept raw).</summary>
    /// <value>Default: <c>.AspNetCore.Session</c>.</value>
    public string SessionCookieName { get; set; } = ".AspNetCore.Session";

    /// <summary>The first-party visitor cookie (a random id).</summary>
    /// <value>Default: <c>numo_vid</c>.</value>
    public string VisitorCookieName { get; set; } = "numo_vid";

    /// <summary>Whether to issue the visitor cookie when consent allows it.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool IssueVisitorCookie { get; set; } = true;

    /// <summary>
    /// Whether visitor cookies are signed and checked: an issued value carries a truncated keyed tag (AES-CMAC) under the key ring, and only a
    /// value that verifies counts as a returning visitor in fraud detection; any other value counts as a new visitor on every request
    /// (cookie churn) and, when consent allows cookies, is replaced. Turn off only to replay logs recorded before signing, or from a
    /// site whose key you do not hold.
    /// </summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool VerifyVisitorCookies { get; set; } = true;

    /// <summary>Lifetime of the visitor cookie.</summary>
    /// <value>Default: 395 days.</value>
    public TimeSpan VisitorCookieLifetime { get; set; } = TimeSpan.FromDays(395);

    /// <summary>
    /// Carrier header-enrichment headers that carry the subscriber's phone number
    /// (for example <c>X-MSISDN</c>). Numbers are normalised to E.164 and pseudonymised.
    /// </summary>
    /// <value>Default: none.</value>
    public string[] PhoneNumberHeaders { get; set; } = [];

    /// <summary>
    /// Networks (single addresses or CIDR networks) whose requests' <see cref="PhoneNumberHeaders"/> are believed: the carrier's
    /// header-enrichment gateways. Checked against the address that reached the site: the socket peer, or, behind the site's
    /// trusted proxies, the address they name (a reverse proxy passes a client's own phone header through). From any other
    /// client a phone header is a claim it makes about itself: it is dropped and counted
    /// (<c>numo.capture.skipped{numo.reason=phone_untrusted_peer}</c>).
    /// </summary>
    /// <value>Default: none, which means the trusted proxies (<see cref="ClientIpOptions.TrustedProxies"/>, and loopback when
    /// <see cref="ClientIpOptions.TrustLoopback"/> is set).</value>
    public string[] PhoneNumberTrustedNetworks { get; set; } = [];

    /// <summary>Country calling code (digits, for example <c>44</c>) for phone numbers without one.</summary>
    /// <value>Default: <see langword="null"/> (such numbers are skipped and counted).</value>
    public string? DefaultCountryCallingCode { get; set; }

    /// <summary>
    /// Leading digits after the country calling code of a one-time-code number (<c>NumoSignals().OtpRequested</c>) kept in clear as its
    /// prefix (the <c>phone-prefix</c> fraud subject, for example <c>+4477009</c> with 5). At least 4 digits of every number stay hidden:
    /// a shorter number keeps fewer. The rest of the number is only ever a pseudonym.
    /// </summary>
    /// <value>Default: 5.</value>
    public int PhonePrefixDigits { get; set; } = 5;

    /// <summary>A site identifier mixed into the cookieless visitor id; the request's Host header (with its port) when unset.</summary>
    /// <value>Default: <see langword="null"/>.</value>
    public string? SiteId { get; set; }

    /// <summary>Longest path (characters) pseudonymised for distinct-path counts; longer paths are cut.</summary>
    /// <value>Default: 512.</value>
    public int MaxPathLength { get; set; } = 512;

    /// <summary>Bound on distinct referrer hosts and UTM values kept as shared strings, and on page paths remembered as passing the scrubber.</summary>
    /// <value>Default: 4,096.</value>
    public int MaxInternedValues { get; set; } = 4_096;
}
