using Microsoft.Extensions.Primitives;
using NumoTelemetry.Records;

namespace NumoTelemetry.Capture;

/// <summary>
/// Finds the client address: the socket peer, then the forwarding chain walked right to left through
/// trusted proxies. The first untrusted hop is the client; a malformed entry stops the walk. The
/// leftmost value is never believed just because it is leftmost. Allocation-free.
/// </summary>
internal sealed class ClientIpResolver
{
    private readonly ClientAddress[] _networks;
    private readonly int[] _prefixLengths;
    private readonly bool _useForwarded;
    private readonly ForwardingHeader _header;
    private readonly int _maxHops;

    public ClientIpResolver(ClientIpOptions options)
    {
        var networks = new List<ClientAddress>();
        var lengths = new List<int>();
        string[] loopback = options.TrustLoopback ? ["127.0.0.0/8", "::1/128"] : [];
        foreach (var entry in (string[])[.. loopback, .. options.TrustedProxies ?? []])
        {
            if (ClientAddress.TryParseNetwork(entry, out var network, out var length))
            {
                networks.Add(network);
                lengths.Add(length);
            }
            else
            {
                throw new ArgumentException($"{NumoTelemetryOptions.SectionName}:ClientIp:TrustedProxies contains '{entry}', which is not an IP address or CIDR network.");
            }
        }

        _networks = [.. networks];
        _prefixLengths = [.. lengths];
        _useForwarded = options.UseForwardedHeaders;
        _header = options.ForwardingHeader;
        _maxHops = Math.Max(1, options.MaxForwardedHops);
    }

    public bool IsTrusted(in ClientAddress address)
    {
        var networks = _networks;
        for (var i = 0; i < networks.Length; i++)
        {
            if (address.IsInNetwork(networks[i], _prefixLengths[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a request from <paramref name="peer"/> has its forwarding headers read: only a trusted proxy's are.</summary>
    public bool ReadsForwardedHeaders(in ClientAddress peer) =>
        _useForwarded && peer.HasValue && _networks.Length != 0 && IsTrusted(peer);

    /// <summary>Resolves from a peer address and the raw forwarding headers.</summary>
    public ClientAddress Resolve(in ClientAddress peer, StringValues forwarded, StringValues xForwardedFor, out ClientIpSource source, out bool malformed)
    {
        malformed = false;
        source = peer.HasValue ? ClientIpSource.Peer : ClientIpSource.None;
        if (!ReadsForwardedHeaders(peer))
        {
            return peer; // only a trusted proxy's forwarding headers count
        }

        return WalkTrusted(peer, forwarded, xForwardedFor, ref source, ref malformed);
    }

    /// <summary>
    /// Reads the forwarding headers of a request from a trusted proxy (see <see cref="ReadsForwardedHeaders"/>): the
    /// configured one, or under <see cref="ForwardingHeader.Auto"/> <c>Forwarded</c> and, only when that is absent,
    /// <c>X-Forwarded-For</c>.
    /// </summary>
    public void ReadForwardingHeaders(Microsoft.AspNetCore.Http.IHeaderDictionary headers, out StringValues forwarded, out StringValues xForwardedFor)
    {
        forwarded = _header == ForwardingHeader.XForwardedFor ? default : headers["Forwarded"];
        xForwardedFor = _header == ForwardingHeader.Forwarded || !StringValues.IsNullOrEmpty(forwarded) ? default : headers["X-Forwarded-For"];
    }

    /// <summary>The forwarding chain from a trusted <paramref name="peer"/>.</summary>
    private ClientAddress WalkTrusted(in ClientAddress peer, StringValues forwarded, StringValues xForwardedFor, ref ClientIpSource source, ref bool malformed)
    {
        // RFC 7239 takes precedence when present, unless only X-Forwarded-For is to be read.
        if (_header != ForwardingHeader.XForwardedFor && !StringValues.IsNullOrEmpty(forwarded))
        {
            return Walk(peer, forwarded, isForwarded: true, ClientIpSource.Forwarded, ref source, ref malformed);
        }

        if (_header != ForwardingHeader.Forwarded && !StringValues.IsNullOrEmpty(xForwardedFor))
        {
            return Walk(peer, xForwardedFor, isForwarded: false, ClientIpSource.XForwardedFor, ref source, ref malformed);
        }

        return peer;
    }

    private ClientAddress Walk(ClientAddress current, StringValues values, bool isForwarded, ClientIpSource headerSource, ref ClientIpSource source, ref bool malformed)
    {
        var hops = 0;

        // Several header lines are one list in order; walk lines right to left, entries right to left.
        for (var line = values.Count - 1; line >= 0; line--)
        {
            ReadOnlySpan<char> text = values[line];
            while (true)
            {
                if (hops++ >= _maxHops)
                {
                    return current;
                }

                var comma = text.LastIndexOf(',');
                var element = comma >= 0 ? text[(comma + 1)..] : text;
                if (!(isForwarded ? TryParseForwardedFor(element, out var hop) : ClientAddress.TryParse(element, out hop)))
                {
                    malformed = true;
                    return current;
                }

                current = hop;
                source = headerSource;
                if (!IsTrusted(hop))
                {
                    return hop;
                }

                if (comma < 0)
                {
                    break;
                }

                text = text[..comma];
            }
        }

        return current;
    }

    /// <summary>Reads the <c>for=</c> parameter of one RFC 7239 element (<c>for=1.2.3.4;proto=https</c>, <c>for="[2001:db8::1]:443"</c>).</summary>
    internal static bool TryParseForwardedFor(ReadOnlySpan<char> element, out ClientAddress address)
    {
        address = default;
        while (!element.IsEmpty)
        {
            var semi = element.IndexOf(';');
            var pair = (semi >= 0 ? element[..semi] : element).Trim();
            element = semi >= 0 ? element[(semi + 1)..] : default;
            var eq = pair.IndexOf('=');
            if (eq <= 0 || !pair[..eq].Trim().Equals("for", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = pair[(eq + 1)..].Trim();
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            {
                value = value[1..^1];
            }

            // "unknown" and obfuscated identifiers ("_hidden") name no address: the walk stops.
            return ClientAddress.TryParse(value, out address);
        }

        return false;
    }
}
