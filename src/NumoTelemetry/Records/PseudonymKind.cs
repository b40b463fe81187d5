namespace NumoTelemetry.Records;

/// <summary>
/// The purpose a pseudonym was made for. Each kind is hashed under its own domain-separation
/// tag, so the same raw text never yields the same pseudonym for two kinds (an IP and a
/// session id cannot collide).
/// </summary>
public enum PseudonymKind : byte
{
    /// <summary>No pseudonym (the default value).</summary>
    None = 0,

    /// <summary>A client IP address.</summary>
    Ip = 1,

    /// <summary>A client IP prefix (/24 IPv4, /48 IPv6 by default).</summary>
    IpPrefix = 2,

    /// <summary>A session id.</summary>
    Session = 3,

    /// <summary>A visitor (the first-party visitor cookie, or the cookieless daily visitor).</summary>
    Visitor = 4,

    /// <summary>A user name or account id.</summary>
    User = 5,

    /// <summary>A phone number (E.164).</summary>
    Phone = 6,

    /// <summary>An e-mail address.</summary>
    Email = 7,

    /// <summary>A User-Agent string (for "UA changed within a session" checks).</summary>
    UserAgent = 8,

    /// <summary>A request path (for distinct-path counts; the raw path is never kept).</summary>
    Path = 9,
}
