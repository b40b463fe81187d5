namespace NumoTelemetry.Fraud.State;

/// <summary>What a fraud subject is. The text names (<c>ip</c>, <c>ip-prefix</c>, ...) appear in alerts and state keys.</summary>
public enum SubjectKind : byte
{
    /// <summary>No subject (the default value).</summary>
    None = 0,

    /// <summary>A client IP (<c>ip</c>).</summary>
    Ip = 1,

    /// <summary>A client network prefix, /24 or /48 by default (<c>ip-prefix</c>).</summary>
    IpPrefix = 2,

    /// <summary>A session id (<c>session</c>).</summary>
    Session = 3,

    /// <summary>A visitor cookie, that is a browser or device (<c>visitor</c>).</summary>
    Visitor = 4,

    /// <summary>An account (<c>user</c>).</summary>
    User = 5,

    /// <summary>An autonomous system, by number (<c>asn</c>); not a pseudonym.</summary>
    Asn = 6,

    /// <summary>
    /// A phone number prefix (<c>phone-prefix</c>): the country calling code and a few leading digits, for example <c>+4477009</c>; not a
    /// pseudonym (a calling code and a few digits identify no one). See <c>Capture:PhonePrefixDigits</c>.
    /// </summary>
    PhonePrefix = 7,

    /// <summary>The whole site (<c>site</c>): site-wide anomalies against the learned baseline.</summary>
    Site = 8,
}
