using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Capture;
using NumoTelemetry.Enrichment;
using NumoTelemetry.Metrics;
using NumoTelemetry.Privacy;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Cli.Replay;

/// <summary>
/// The replay's capture of a plain log line (no extra headers, no campaign query): the same record <c>RequestCapturer.Begin</c> makes
/// of the equivalent HTTP request — <c>ReplayCapturerTests</c> compares the two field by field — without building an
/// <see cref="HttpContext"/>, and with what is derived from a repeated value memoised per thread: a log repeats its clients, cookie
/// headers, paths and User-Agents, and each memo entry (keyed by the address, or by the identity of the string the reader reuses for a
/// repeat, and by the pseudonym tag: epoch and key) replaces two to four pseudonym-cache lookups, a cookie scan and a cookie
/// verification with one lookup. Anything else (extra headers, <c>utm_</c> queries, a consent resolver) goes through
/// <c>RequestCapturer</c> and the HTTP request. One instance per capture thread.
/// </summary>
internal sealed class ReplayCapturer
{
    private const int AddressSlots = 1 << 15;
    private const int StringSlots = 1 << 15;
    private const int MaxKeyLength = 1024;

    private readonly Pseudonymizer _pseudonymizer;
    private readonly IUserAgentParser _userAgents;
    private readonly UserAgentRedactor _redactor;
    private readonly IRequestEnricher[] _enrichers;
    private readonly IRiskProvider _risk;
    private readonly NumoTelemetryMetrics _metrics;
    private readonly Action<string> _onSkipped;
    private readonly ClientIpResolver _clientIp;
    private readonly VisitorCookieSigner? _signer;
    private readonly StringInterner _interner;
    private readonly string _sessionCookie;
    private readonly string _visitorCookie;
    private readonly string? _consentCookie;
    private readonly ConsentLevel _consent;
    private readonly int _maxUserAgentLength;
    private readonly int _maxPathLength;

    private readonly AddressFacts[] _addresses = new AddressFacts[AddressSlots];
    private readonly TextFacts<CookieFacts>[] _cookies = new TextFacts<CookieFacts>[1 << 16];
    private readonly string _sessionPrefix;
    private char[] _header = new char[512];
    private readonly StringFacts<Pseudonym>[] _paths = new StringFacts<Pseudonym>[StringSlots];
    private readonly StringFacts<UserAgentFacts>[] _agents = new StringFacts<UserAgentFacts>[1024];

    /// <param name="signer">The visitor cookie signer all capture threads share (thread-safe; its cache of verified values is large).</param>
    public ReplayCapturer(IServiceProvider services, NumoTelemetryOptions options, VisitorCookieSigner? signer)
    {
        _pseudonymizer = services.GetRequiredService<Pseudonymizer>();
        _userAgents = services.GetRequiredService<IUserAgentParser>();
        _redactor = new UserAgentRedactor(_userAgents);
        _enrichers = [.. services.GetServices<IRequestEnricher>()];
        _risk = services.GetRequiredService<IRiskProvider>();
        _metrics = services.GetRequiredService<NumoTelemetryMetrics>();
        _onSkipped = _metrics.RecordSkipped;
        _clientIp = new ClientIpResolver(options.ClientIp);
        var capture = options.Capture;
        _signer = capture.VerifyVisitorCookies ? signer ?? new VisitorCookieSigner(_pseudonymizer.KeyRing, options.Pseudonymization.CacheSize) : null;
        _interner = new StringInterner(capture.MaxInternedValues);
        _sessionCookie = capture.SessionCookieName;
        _sessionPrefix = _sessionCookie + "=";
        _visitorCookie = capture.VisitorCookieName;
        _consentCookie = string.IsNullOrEmpty(options.Consent.CookieName) ? null : options.Consent.CookieName;
        _consent = options.Consent.DefaultLevel;
        _maxUserAgentLength = Math.Max(16, options.UserAgents.MaxLength);
        _maxPathLength = Math.Max(16, capture.MaxPathLength);

        // The fast path covers what replay configures: fraud-only consent with no consent cookie nor resolver, and no visitor
        // cookie issued. Any other setting sends every line through RequestCapturer.
        Enabled = options.Consent.Resolver is null && _consentCookie is null && _consent == ConsentLevel.FraudPreventionOnly
            && !capture.IssueVisitorCookie;
    }

    /// <summary>Whether the fast path applies to this configuration at all.</summary>
    public bool Enabled { get; }

    /// <summary>Whether <paramref name="request"/> is a plain line this capturer handles (else use <c>RequestCapturer</c>).</summary>
    public bool Handles(ReplayRequest request) =>
        Enabled && request.Headers.Count == 0
        && (request.Query is null || request.Query.IndexOf("utm_", StringComparison.OrdinalIgnoreCase) < 0);

    /// <summary>
    /// Captures <paramref name="request"/> at <paramref name="now"/> into <paramref name="feature"/> as <c>RequestCapturer.Begin</c>
    /// would for its HTTP request (https, Host <c>replay</c>, peer address, User-Agent, Referer, and the Cookie header the runner makes of
    /// the line's cookie and session: <c>cookie; session-name=session</c>).
    /// </summary>
    public void Begin(ReplayRequest request, DateTimeOffset now, NumoRequestFeature feature)
    {
        feature.StartTimestamp = now.UtcTicks;
        feature.Pseudonymizer = _pseudonymizer;
        feature.OnSkipped = _onSkipped;
        ref var record = ref feature.Record;
        record.Timestamp = now;
        record.Method = FreeTextScrubber.Method(request.Method);
        record.Scheme = "https";
        record.Protocol = FreeTextScrubber.Protocol(request.Protocol ?? "HTTP/1.1");
        record.RequestContentLength = null;
        record.Route = RequestCapturer.UnmatchedRoute;
        var tag = _pseudonymizer.TagOf(PseudonymScope.Fraud, now);

        // Client address: the peer (no forwarded headers on a plain line).
        ref var address = ref Address(request.Client, tag, now);
        var client = address.Client;
        record.ClientIpSource = address.Source;
        record.ForwardedChainMalformed = false;
        record.ClientIsPrivate = client.IsPrivateOrLocal;
        record.ClientIsIPv6 = client.HasValue && !client.IsIPv4;
        record.Ip = address.Ip;
        record.IpPrefix = address.Prefix;

        // User-Agent.
        var userAgent = request.UserAgent;
        if (userAgent is null)
        {
            record.UserAgent = _redactor.Apply(_userAgents.Parse(null));
        }
        else
        {
            ref var agent = ref Agent(userAgent, tag, now);
            record.UserAgent = agent.Info!;
            record.UserAgentId = agent.Id;
        }

        // Path.
        var path = request.Path;
        if (path.Length > 0)
        {
            ref var slot = ref Slot(_paths, path);
            if (slot.Tag != tag || !ReferenceEquals(slot.Key, path))
            {
                var span = path.AsSpan();
                slot.Value = _pseudonymizer.PseudonymizeNormalized(PseudonymKind.Path, span.Length > _maxPathLength ? span[.._maxPathLength] : span, now, PseudonymScope.Fraud);
                slot.Key = path;
                slot.Tag = tag;
            }

            record.Path = slot.Value;
        }

        // Referrer host (internal navigation, on the Host "replay", is none).
        record.Language = null;
        var referrerHost = HeaderValues.ReferrerHost(request.Referer);
        record.ReferrerHost = referrerHost.IsEmpty || HeaderValues.IsSameHost(referrerHost, "replay") ? null : _interner.InternScrubbed(referrerHost, lowerAscii: true);

        // Cookies.
        if (request.HasCookie || request.HasSession)
        {
            ref var cookies = ref Cookies(request, tag, now);
            record.CookieCount = cookies.Count;
            record.CookieBytes = cookies.Bytes;
            record.HasSessionCookie = cookies.HasSession;
            record.HasVisitorCookie = cookies.HasVisitor;
            record.Session = cookies.Session;
            record.VisitorCookieVerified = cookies.Verified;
            record.Visitor = cookies.Visitor;
        }

        record.Consent = _consent;

        RequestCapturer.EnrichAndScore(client, ref record, _enrichers, _risk, _metrics);
    }

    private ref AddressFacts Address(in ClientAddress peer, long tag, DateTimeOffset now)
    {
        var bits = peer.Bits;
        var hash = (ulong)bits ^ (ulong)(bits >> 64);
        hash ^= hash >> 29;
        ref var slot = ref _addresses[(int)(hash * 0x9E3779B97F4A7C15UL >> 49) & (AddressSlots - 1)];
        if (!slot.Set || slot.Tag != tag || slot.Peer != peer)
        {
            var client = _clientIp.Resolve(peer, default, default, out var source, out _); // a plain line has no forwarding headers
            slot = new AddressFacts
            {
                Set = true,
                Peer = peer,
                Tag = tag,
                Client = client,
                Source = source,
                Ip = _pseudonymizer.PseudonymizeAddress(client, PseudonymKind.Ip, now),
                Prefix = _pseudonymizer.PseudonymizeAddress(client, PseudonymKind.IpPrefix, now),
            };
        }

        return ref slot;
    }

    private ref UserAgentFacts Agent(string userAgent, long tag, DateTimeOffset now)
    {
        ref var slot = ref Slot(_agents, userAgent);
        if (slot.Tag != tag || !ReferenceEquals(slot.Key, userAgent))
        {
            var info = slot.Key is not null && ReferenceEquals(slot.Key, userAgent) ? slot.Value.Info! : _redactor.Apply(_userAgents.Parse(userAgent));
            var ua = userAgent.AsSpan();
            var id = ua.IsEmpty ? default : _pseudonymizer.PseudonymizeNormalized(PseudonymKind.UserAgent, ua.Length > _maxUserAgentLength ? ua[.._maxUserAgentLength] : ua, now, PseudonymScope.Fraud);
            slot = new StringFacts<UserAgentFacts> { Key = userAgent, Tag = tag, Value = new UserAgentFacts(info, id) };
        }

        return ref slot.Value;
    }

    /// <summary>
    /// What the Cookie header of <paramref name="request"/> yields, memoised by the header's text (a log repeats its clients' cookie
    /// and session pairs): one slot and one compare for a repeat, where a scan, two pseudonym-cache lookups and a verification were.
    /// </summary>
    private ref CookieFacts Cookies(ReplayRequest request, long tag, DateTimeOffset now)
    {
        // The header text: "cookie; session-name=session", "session-name=session" or "cookie", as the runner's HTTP request has it.
        var cookie = request.CookieText;
        var session = request.SessionText;
        var length = request.HasSession ? (request.HasCookie ? cookie.Length + 2 : 0) + _sessionPrefix.Length + session.Length : cookie.Length;
        if (_header.Length < length)
        {
            _header = new char[Math.Max(length, _header.Length * 2)];
        }

        var header = _header.AsSpan(0, length);
        if (request.HasSession)
        {
            var at = 0;
            if (request.HasCookie)
            {
                cookie.CopyTo(header);
                header[cookie.Length] = ';';
                header[cookie.Length + 1] = ' ';
                at = cookie.Length + 2;
            }

            _sessionPrefix.CopyTo(header[at..]);
            session.CopyTo(header[(at + _sessionPrefix.Length)..]);
        }
        else
        {
            cookie.CopyTo(header);
        }

        var hash = string.GetHashCode(header);
        ref var slot = ref _cookies[hash & (_cookies.Length - 1)];
        if (slot.Tag == tag && slot.Hash == hash && header.SequenceEqual(slot.Key))
        {
            return ref slot.Value;
        }

        var scan = default(CookieScan);
        scan.Scan(header, _sessionCookie, _visitorCookie, _consentCookie);
        var facts = new CookieFacts { Count = scan.Count, Bytes = scan.Bytes, HasSession = !scan.Session.IsEmpty, HasVisitor = !scan.Visitor.IsEmpty };
        if (facts.HasSession)
        {
            facts.Session = _pseudonymizer.PseudonymizeNormalized(PseudonymKind.Session, Cap(scan.Session), now, PseudonymScope.Fraud);
        }

        var visitor = Cap(scan.Visitor);
        if (!visitor.IsEmpty)
        {
            facts.Verified = _signer is null || _signer.Verify(visitor);
            facts.Visitor = _pseudonymizer.PseudonymizeNormalized(PseudonymKind.Visitor, visitor, now, PseudonymScope.Fraud);
        }

        slot = new TextFacts<CookieFacts> { Key = header.Length <= MaxKeyLength ? header.ToString() : null, Hash = hash, Tag = tag, Value = facts };
        if (slot.Key is null)
        {
            slot.Tag = 0; // too long to keep: not memoised
        }

        return ref slot.Value;
    }

    private static ref StringFacts<T> Slot<T>(StringFacts<T>[] slots, string key) =>
        ref slots[RuntimeHelpers.GetHashCode(key) & (slots.Length - 1)];

    private static ReadOnlySpan<char> Cap(ReadOnlySpan<char> value) =>
        value.Length > IdentifierNormalizer.MaxLength ? value[..IdentifierNormalizer.MaxLength] : value;

    /// <summary>A memo entry keyed by the identity of a string (the reader reuses one string for a repeated value) and the pseudonym tag.</summary>
    private struct StringFacts<T>
    {
        public string? Key;
        public long Tag;
        public T Value;
    }

    /// <summary>A memo entry keyed by text (compared by value), its hash and the pseudonym tag.</summary>
    private struct TextFacts<T>
    {
        public string? Key;
        public int Hash;
        public long Tag;
        public T Value;
    }

    private struct AddressFacts
    {
        public bool Set;
        public ClientAddress Peer;
        public long Tag;
        public ClientAddress Client;
        public ClientIpSource Source;
        public Pseudonym Ip;
        public Pseudonym Prefix;
    }

    private readonly record struct UserAgentFacts(UserAgentInfo? Info, Pseudonym Id);

    private struct CookieFacts
    {
        public int Count;
        public int Bytes;
        public bool HasSession;
        public bool HasVisitor;
        public bool Verified;
        public Pseudonym Session;
        public Pseudonym Visitor;
    }
}
