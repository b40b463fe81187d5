using Microsoft.Extensions.Primitives;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Capture;

/// <summary>
/// What both halves of the capture (<see cref="RequestReader"/> on the request thread, <see cref="RequestFinisher"/> after it)
/// decide the same way: which proxies are trusted, which cookies are the session, visitor and consent cookies, which visitor
/// cookies this site issued, and from whom a phone header is believed.
/// </summary>
internal sealed class CaptureRules
{
    private readonly NetworkList? _phoneNetworks;

    public CaptureRules(NumoTelemetryOptions options, Pseudonymizer pseudonymizer)
    {
        var capture = options.Capture;
        ClientIp = new ClientIpResolver(options.ClientIp);
        VisitorSigner = capture.VerifyVisitorCookies ? new VisitorCookieSigner(pseudonymizer.KeyRing) : null;
        SessionCookie = capture.SessionCookieName;
        VisitorCookie = capture.VisitorCookieName;
        ConsentCookie = string.IsNullOrEmpty(options.Consent.CookieName) ? null : options.Consent.CookieName;
        CallingCode = capture.DefaultCountryCallingCode;
        _phoneNetworks = capture.PhoneNumberTrustedNetworks is { Length: > 0 } carriers ? new NetworkList(carriers, "Capture:PhoneNumberTrustedNetworks") : null;
    }

    public ClientIpResolver ClientIp { get; }

    /// <summary>Verifies (and issues) visitor cookies; <see langword="null"/> when <c>Capture:VerifyVisitorCookies</c> is off.</summary>
    public VisitorCookieSigner? VisitorSigner { get; }

    public string SessionCookie { get; }

    public string VisitorCookie { get; }

    public string? ConsentCookie { get; }

    /// <summary>The country calling code a national phone number is completed with.</summary>
    public string? CallingCode { get; }

    /// <summary>
    /// Scans the Cookie header: counts and presence into the record; the session and visitor values kept as slices of the
    /// header, never copied; the consent cookie's value in <paramref name="cookies"/>.
    /// </summary>
    public void ScanCookies(StringValues cookieHeader, ref RequestRecord record, ref RawRequest raw, scoped ref CookieScan cookies)
    {
        for (var i = 0; i < cookieHeader.Count; i++)
        {
            if (cookieHeader[i] is not { } line)
            {
                continue;
            }

            var hadSession = !cookies.Session.IsEmpty;
            var hadVisitor = !cookies.Visitor.IsEmpty;
            cookies.Scan(line, SessionCookie, VisitorCookie, ConsentCookie);
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
    /// Whether phone headers are believed from <paramref name="client"/>: the address that reached the site, after walking
    /// its trusted proxies (the socket peer when there are none). It is in
    /// <see cref="CaptureOptions.PhoneNumberTrustedNetworks"/>, or, when that is empty, a trusted proxy: a carrier gateway
    /// listed as a trusted proxy that connects directly is believed, a client relayed by the site's own proxy is not.
    /// </summary>
    public bool TrustsPhoneHeaders(in ClientAddress client) =>
        _phoneNetworks is { } networks ? networks.Contains(client) : client.HasValue && ClientIp.IsTrusted(client);

    private static ReadOnlyMemory<char> SliceOf(string line, ReadOnlySpan<char> part) =>
        line.AsSpan().Overlaps(part, out var offset) ? line.AsMemory(offset, part.Length) : default;

    private static ReadOnlySpan<char> Cap(ReadOnlySpan<char> value) =>
        value.Length > IdentifierNormalizer.MaxLength ? value[..IdentifierNormalizer.MaxLength] : value;
}
