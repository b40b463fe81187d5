namespace NumoTelemetry.Capture;

/// <summary>How the client IP is found behind reverse proxies.</summary>
public sealed class ClientIpOptions
{
    /// <summary>
    /// Proxies whose forwarding headers are believed: single addresses or CIDR networks.
    /// The chain in <c>Forwarded</c> / <c>X-Forwarded-For</c> is walked from the right through
    /// these; the first address not in this list is the client.
    /// </summary>
    /// <value>Default: none (loopback is trusted through <see cref="TrustLoopback"/>).</value>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>
    /// Whether loopback (<c>127.0.0.0/8</c>, <c>::1</c>) is a trusted proxy, as for a reverse proxy on the same
    /// machine. A separate switch because configuration binding appends to, rather than replaces, list defaults.
    /// </summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool TrustLoopback { get; set; } = true;

    /// <summary>Whether to read <c>Forwarded</c> (RFC 7239) and <c>X-Forwarded-For</c> at all.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool UseForwardedHeaders { get; set; } = true;

    /// <summary>
    /// Which forwarding header to read. Set it to the one your proxies write: a proxy that appends to
    /// <c>X-Forwarded-For</c> but passes a client's own <c>Forwarded</c> header through unchanged (many do) would
    /// otherwise let that client choose its address under <see cref="ForwardingHeader.Auto"/>, which prefers
    /// <c>Forwarded</c>. Reading one header is also one lookup less per request.
    /// </summary>
    /// <value>Default: <see cref="ForwardingHeader.Auto"/>.</value>
    public ForwardingHeader ForwardingHeader { get; set; } = ForwardingHeader.Auto;

    /// <summary>Maximum number of hops walked in a forwarding chain.</summary>
    /// <value>Default: 16.</value>
    public int MaxForwardedHops { get; set; } = 16;
}
