namespace NumoTelemetry.Capture;

/// <summary>Which forwarding header a trusted proxy's requests are read from (<see cref="ClientIpOptions.ForwardingHeader"/>).</summary>
public enum ForwardingHeader
{
    /// <summary>RFC 7239 <c>Forwarded</c> when the request has one, else <c>X-Forwarded-For</c>.</summary>
    Auto,

    /// <summary>Only <c>X-Forwarded-For</c>; a <c>Forwarded</c> header is ignored (and not read).</summary>
    XForwardedFor,

    /// <summary>Only RFC 7239 <c>Forwarded</c>; an <c>X-Forwarded-For</c> header is ignored (and not read).</summary>
    Forwarded,
}
