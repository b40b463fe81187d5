using NumoTelemetry.Records;

namespace NumoTelemetry.SubjectRights;

/// <summary>What a raw identifier a person supplies is: the <c>--kind</c> of <c>numo subject</c>.</summary>
internal enum SubjectIdentifierKind : byte
{
    /// <summary>A user name or account id (<c>user</c>); one with an <c>@</c> is looked for as an e-mail address too.</summary>
    User,

    /// <summary>An e-mail address (<c>email</c>); looked for as a user name too (sites log in with it).</summary>
    Email,

    /// <summary>A phone number (<c>phone</c>), normalised to E.164 as capture does.</summary>
    Phone,

    /// <summary>An IP address (<c>ip</c>); its network prefix is context, never the person.</summary>
    Ip,

    /// <summary>The value of the visitor cookie (<c>visitor</c>): fraud pseudonyms per window, analytics ones per day.</summary>
    Visitor,

    /// <summary>The value of the session cookie (<c>session</c>).</summary>
    Session,
}
