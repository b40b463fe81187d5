using NumoTelemetry.Records;

namespace NumoTelemetry.SubjectRights;

/// <summary>A raw identifier a person supplied. Held only while their pseudonyms are computed; never written anywhere.</summary>
internal readonly record struct SubjectIdentifier(SubjectIdentifierKind Kind, string Value)
{
    /// <summary>The kind names <c>numo subject --kind</c> accepts.</summary>
    public static readonly string[] KindNames = ["user", "email", "phone", "ip", "visitor", "session"];

    /// <summary>Parses a kind name (<c>user</c>, <c>email</c>, <c>phone</c>, <c>ip</c>, <c>visitor</c>, <c>session</c>).</summary>
    public static bool TryParseKind(string? name, out SubjectIdentifierKind kind)
    {
        var index = Array.IndexOf(KindNames, name?.Trim().ToLowerInvariant());
        kind = index < 0 ? default : (SubjectIdentifierKind)index;
        return index >= 0;
    }

    /// <summary>The kind's name.</summary>
    public static string NameOf(SubjectIdentifierKind kind) => KindNames[(int)kind];

    /// <summary>Hides the value: a record's text must never carry it into a log or an exception message.</summary>
    public override string ToString() => NameOf(Kind);
}
