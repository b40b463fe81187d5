using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.SubjectRights;

/// <summary>
/// One pseudonym a person could have had: the identifier it came from (by position), its kind, scope, key and epoch (a fraud
/// window or an analytics day) with the time span the epoch covers, and its text as stores spell it.
/// </summary>
/// <param name="Identifier">The 1-based position of the supplied identifier it was computed from.</param>
/// <param name="Kind">The pseudonym kind.</param>
/// <param name="Scope">Fraud (per window) or analytics (per day).</param>
/// <param name="KeyId">The key that makes it.</param>
/// <param name="Epoch">The fraud window or analytics day number.</param>
/// <param name="From">The start of the epoch (UTC).</param>
/// <param name="To">The end of the epoch (UTC, exclusive).</param>
/// <param name="Value">The pseudonym.</param>
/// <param name="IsContext">
/// Context only (an IP's network prefix): shown, never used to select or erase anything, since others share it.
/// </param>
internal sealed record SubjectPseudonym(int Identifier, PseudonymKind Kind, PseudonymScope Scope, ushort KeyId, long Epoch, DateTimeOffset From, DateTimeOffset To, Pseudonym Value, bool IsContext)
{
    /// <summary>The text form (<c>k{keyId}.{base64url}</c>).</summary>
    public string Text { get; } = Value.ToString();

    /// <summary>The kind as the request log and fraud state name it (<c>ip</c>, <c>ip-prefix</c>, <c>user</c>, ...).</summary>
    public string KindName => NameOf(Kind);

    /// <summary>The name of a pseudonym kind.</summary>
    public static string NameOf(PseudonymKind kind) => kind switch
    {
        PseudonymKind.Ip => "ip",
        PseudonymKind.IpPrefix => "ip-prefix",
        PseudonymKind.Session => "session",
        PseudonymKind.Visitor => "visitor",
        PseudonymKind.User => "user",
        PseudonymKind.Phone => "phone",
        PseudonymKind.Email => "email",
        _ => "none",
    };

    /// <summary>Parses a name from <see cref="NameOf"/>.</summary>
    public static PseudonymKind KindOf(string? name) => name switch
    {
        "ip" => PseudonymKind.Ip,
        "ip-prefix" => PseudonymKind.IpPrefix,
        "session" => PseudonymKind.Session,
        "visitor" => PseudonymKind.Visitor,
        "user" => PseudonymKind.User,
        "phone" => PseudonymKind.Phone,
        "email" => PseudonymKind.Email,
        _ => PseudonymKind.None,
    };
}
