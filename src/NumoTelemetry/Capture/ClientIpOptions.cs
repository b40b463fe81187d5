namespace NumoTelemetry.Capture;

/// <summary>How the client IP is found behind reverse proxies.</summary>
public sealed class ClientIpOptions
{
    /// <summary>
    /// Proxies whose forwarding headers are believed: single addresses or CIDR networks.
    /// The chain in <c>Forwarded</c> / <c>X-Forwarded-For</c> is walked from the right through
    /// these; the first address not in this list is the client.
    /// </summary>
    /// <value>Default: loopback (<c>127.0.0.0/8</c>, <c>::1</c>).</value>
    public string[] TrustedProxies { get; set; } = ["127.0.0.0/8", "::1/128"];

    /// <summary>Whether to read <c>Forwarded</c> (RFC 7239) and <c>X-Forwarded-For</c> at all.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool UseForwardedHeaders { get; set; } = true;

    /// <summary>Maximum number of hops walked in a forwarding chain.</summary>
    /// <value>Default: 16.</value>
    public int MaxForwardedHops { get; set; } = 16;
}
