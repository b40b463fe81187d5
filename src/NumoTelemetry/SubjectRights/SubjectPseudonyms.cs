using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.SubjectRights;

/// <summary>
/// Every pseudonym a subject could have had over a period, and the sets stores are searched with. Only the subject's own
/// pseudonyms (fraud scope: IP, session, visitor, user, e-mail, phone) select records; network prefixes are context.
/// </summary>
internal sealed class SubjectPseudonyms
{
    private readonly HashSet<string> _texts = new(StringComparer.Ordinal);
    private readonly HashSet<Pseudonym> _values = new();
    private readonly List<SubjectKey> _fraudSubjects = new();

    public SubjectPseudonyms(IReadOnlyList<SubjectPseudonym> all, DateTimeOffset from, DateTimeOffset to)
    {
        All = all;
        From = from;
        To = to;
        foreach (var p in all)
        {
            if (p.IsContext || p.Scope != PseudonymScope.Fraud || p.Value.IsEmpty)
            {
                continue;
            }

            _texts.Add(p.Text);
            if (_values.Add(p.Value))
            {
                var kind = FraudKindOf(p.Kind);
                if (kind != SubjectKind.None)
                {
                    _fraudSubjects.Add(SubjectKey.From(kind, p.Value));
                }
            }
        }
    }

    /// <summary>Every pseudonym found, in the order computed (identifier, kind, key, epoch).</summary>
    public IReadOnlyList<SubjectPseudonym> All { get; }

    /// <summary>The start of the period searched.</summary>
    public DateTimeOffset From { get; }

    /// <summary>The end of the period searched.</summary>
    public DateTimeOffset To { get; }

    /// <summary>The subject's own fraud-scope pseudonyms (what records are selected by).</summary>
    public IReadOnlyCollection<Pseudonym> Values => _values;

    /// <summary>The fraud subjects (ip, session, visitor, user) whose state is the subject's.</summary>
    public IReadOnlyList<SubjectKey> FraudSubjects => _fraudSubjects;

    /// <summary>Whether <paramref name="text"/> is one of the subject's own pseudonyms.</summary>
    public bool IsSubject(string? text) => text is not null && _texts.Contains(text);

    /// <summary>Whether <paramref name="value"/> is one of the subject's own pseudonyms.</summary>
    public bool IsSubject(in Pseudonym value) => !value.IsEmpty && _values.Contains(value);

    /// <summary>The fraud subject kind a pseudonym kind is kept under (none for phone and e-mail: no state is kept per them).</summary>
    public static SubjectKind FraudKindOf(PseudonymKind kind) => kind switch
    {
        PseudonymKind.Ip => SubjectKind.Ip,
        PseudonymKind.Session => SubjectKind.Session,
        PseudonymKind.Visitor => SubjectKind.Visitor,
        PseudonymKind.User => SubjectKind.User,
        _ => SubjectKind.None,
    };

    /// <summary>Rebuilds the selecting set from pseudonyms as a request of the erasure folder lists them (kind name and text).</summary>
    public static SubjectPseudonyms FromTexts(IEnumerable<(string Kind, string Text)> pseudonyms)
    {
        var list = new List<SubjectPseudonym>();
        foreach (var (kindName, text) in pseudonyms)
        {
            var kind = SubjectPseudonym.KindOf(kindName);
            if (kind != PseudonymKind.None && kind != PseudonymKind.IpPrefix && Pseudonym.TryParse(text, kind, PseudonymScope.Fraud, out var value))
            {
                list.Add(new SubjectPseudonym(0, kind, PseudonymScope.Fraud, value.KeyId, 0, default, default, value, false));
            }
        }

        return new SubjectPseudonyms(list, default, default);
    }
}
