namespace NumoTelemetry.Records;

/// <summary>Where the client IP of a request was taken from.</summary>
public enum ClientIpSource : byte
{
    /// <summary>No address known.</summary>
    None = 0,

    /// <summary>The socket peer (no trusted proxy in front).</summary>
    Peer = 1,

    /// <summary>RFC 7239 <c>Forwarded</c>, through trusted proxies.</summary>
    Forwarded = 2,

    /// <summary><c>X-Forwarded-For</c>, through trusted proxies.</summary>
    XForwardedFor = 3,
}
