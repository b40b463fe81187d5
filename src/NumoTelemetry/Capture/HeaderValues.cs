namespace NumoTelemetry.Capture;

/// <summary>Allocation-free extraction of the low-cardinality facts NumoTelemetry keeps from headers.</summary>
internal static class HeaderValues
{
    /// <summary>
    /// The primary language subtag of the first range of an Accept-Language header (<c>en-GB,en;q=0.8</c> gives <c>en</c>):
    /// two or three ASCII letters (ISO 639; BCP 47's longer primary subtags are reserved or unregistered), so a header with
    /// a name or other text in that place yields nothing.
    /// </summary>
    public static ReadOnlySpan<char> PrimaryLanguage(ReadOnlySpan<char> acceptLanguage)
    {
        var end = acceptLanguage.IndexOfAny(',', ';');
        var first = (end >= 0 ? acceptLanguage[..end] : acceptLanguage).Trim();
        var dash = first.IndexOfAny('-', '_');
        var primary = dash >= 0 ? first[..dash] : first;
        if (primary.Length is < 2 or > 3)
        {
            return default;
        }

        foreach (var c in primary)
        {
            if (!char.IsAsciiLetter(c))
            {
                return default;
            }
        }

        return primary;
    }

    /// <summary>The host of an absolute http(s) referrer URL (no scheme, user info, port, path or query).</summary>
    public static ReadOnlySpan<char> ReferrerHost(ReadOnlySpan<char> referrer)
    {
        var scheme = referrer.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0 || scheme > 32)
        {
            return default;
        }

        var rest = referrer[(scheme + 3)..];
        var end = rest.IndexOfAny('/', '?', '#');
        var authority = end >= 0 ? rest[..end] : rest;
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
        }

        if (authority.StartsWith("["))
        {
            var close = authority.IndexOf(']');
            return close > 0 ? authority[..(close + 1)] : default;
        }

        var colon = authority.IndexOf(':');
        var host = colon >= 0 ? authority[..colon] : authority;
        if (host.IsEmpty || host.Length > 253)
        {
            return default;
        }

        foreach (var c in host)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            {
                return default;
            }
        }

        return host;
    }

    /// <summary>Whether <paramref name="referrerHost"/> is the host of the request's Host header (port ignored, case-insensitive).</summary>
    public static bool IsSameHost(ReadOnlySpan<char> referrerHost, ReadOnlySpan<char> hostHeader)
    {
        if (hostHeader.IsEmpty)
        {
            return false;
        }

        if (hostHeader[0] != '[')
        {
            var colon = hostHeader.LastIndexOf(':');
            if (colon >= 0)
            {
                hostHeader = hostHeader[..colon];
            }
        }
        else if (hostHeader.IndexOf(']') is var close and > 0)
        {
            hostHeader = hostHeader[..(close + 1)];
        }

        return referrerHost.Equals(hostHeader, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The raw value of query parameter <paramref name="name"/> (still percent-encoded), or empty.</summary>
    public static ReadOnlySpan<char> QueryValue(ReadOnlySpan<char> query, ReadOnlySpan<char> name)
    {
        if (!query.IsEmpty && query[0] == '?')
        {
            query = query[1..];
        }

        while (!query.IsEmpty)
        {
            var amp = query.IndexOf('&');
            var pair = amp >= 0 ? query[..amp] : query;
            query = amp >= 0 ? query[(amp + 1)..] : default;
            var eq = pair.IndexOf('=');
            if (eq > 0 && pair[..eq].Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return pair[(eq + 1)..];
            }
        }

        return default;
    }
}
