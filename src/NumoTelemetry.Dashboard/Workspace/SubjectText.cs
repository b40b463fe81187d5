using System.Globalization;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Dashboard.Workspace;

/// <summary>
/// Subject kinds and subjects as alerts spell them. Anything that is not a fraud pseudonym of its kind (or an AS number) is
/// refused, so a raw IP, e-mail or user name typed into a list or a URL never reaches the store.
/// </summary>
internal static class SubjectText
{
    public static bool TryParseKind(string? text, out SubjectKind kind)
    {
        kind = text switch
        {
            "ip" => SubjectKind.Ip,
            "ip-prefix" => SubjectKind.IpPrefix,
            "session" => SubjectKind.Session,
            "visitor" => SubjectKind.Visitor,
            "user" => SubjectKind.User,
            "asn" => SubjectKind.Asn,
            _ => SubjectKind.None,
        };
        return kind != SubjectKind.None;
    }

    public static bool TryParse(SubjectKind kind, string? text, out SubjectKey subject)
    {
        subject = default;
        if (string.IsNullOrEmpty(text) || text.Length > SubjectKey.MaxTextLength)
        {
            return false;
        }

        if (kind == SubjectKind.Asn)
        {
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var asn) && asn > 0 && asn <= uint.MaxValue)
            {
                subject = SubjectKey.ForAsn(asn);
                return true;
            }

            return false;
        }

        if (!Pseudonym.TryParse(text, SubjectKey.PseudonymKindOf(kind), PseudonymScope.Fraud, out var pseudonym) || pseudonym.IsEmpty)
        {
            return false;
        }

        subject = SubjectKey.From(kind, pseudonym);

        // Only the canonical spelling: the text must be what the pseudonym formats back to.
        return string.Equals(subject.ToString(), text, StringComparison.Ordinal);
    }
}
