using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.SubjectRights;

/// <summary>
/// Finds a subject: from the raw identifiers a person supplies, every pseudonym they could have had between two times, under
/// every key still in the ring, in every fraud window and (for the visitor cookie) every analytics day. Pseudonyms are
/// computed as capture computes them (<see cref="Pseudonymizer.PseudonymizeAt"/>): a user name with an <c>@</c> is an e-mail
/// address too, an e-mail address a user name too (sites sign in with it), an IP's network prefix is added as context only.
/// Used by <c>numo subject</c> and by account closure on the running site; the raw values are not kept.
/// </summary>
internal static class SubjectFinder
{
    /// <summary>The most epochs searched per key and scope (a day's analytics pseudonyms over ten years).</summary>
    public const int MaxEpochs = 3700;

    /// <summary>Computes the pseudonyms of <paramref name="identifiers"/> over [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public static SubjectPseudonyms Find(
        Pseudonymizer pseudonymizer,
        IReadOnlyList<SubjectIdentifier> identifiers,
        DateTimeOffset from,
        DateTimeOffset to,
        string? defaultCallingCode = null,
        bool analytics = true)
    {
        ArgumentNullException.ThrowIfNull(pseudonymizer);
        ArgumentNullException.ThrowIfNull(identifiers);
        if (to < from)
        {
            (from, to) = (to, from);
        }

        var found = new List<SubjectPseudonym>();
        var seen = new HashSet<Pseudonym>();
        var keys = pseudonymizer.KeyRing.KeyIds;
        for (var i = 0; i < identifiers.Count; i++)
        {
            var id = identifiers[i];
            if (string.IsNullOrWhiteSpace(id.Value))
            {
                continue;
            }

            foreach (var (kind, context) in KindsOf(id))
            {
                for (var k = 0; k < keys.Count; k++)
                {
                    AddEpochs(found, seen, pseudonymizer, i + 1, kind, context, id.Value, keys[k], PseudonymScope.Fraud, from, to, defaultCallingCode);
                }
            }

            if (analytics && id.Kind == SubjectIdentifierKind.Visitor)
            {
                for (var k = 0; k < keys.Count; k++)
                {
                    AddEpochs(found, seen, pseudonymizer, i + 1, PseudonymKind.Visitor, false, id.Value, keys[k], PseudonymScope.Analytics, from, to, defaultCallingCode);
                }
            }
        }

        return new SubjectPseudonyms(found, from, to);
    }

    private static IEnumerable<(PseudonymKind Kind, bool Context)> KindsOf(SubjectIdentifier id)
    {
        switch (id.Kind)
        {
            case SubjectIdentifierKind.User:
                yield return (PseudonymKind.User, false);
                if (id.Value.Contains('@', StringComparison.Ordinal))
                {
                    yield return (PseudonymKind.Email, false);
                }

                break;
            case SubjectIdentifierKind.Email:
                yield return (PseudonymKind.Email, false);
                yield return (PseudonymKind.User, false);
                break;
            case SubjectIdentifierKind.Phone:
                yield return (PseudonymKind.Phone, false);
                break;
            case SubjectIdentifierKind.Ip:
                yield return (PseudonymKind.Ip, false);
                yield return (PseudonymKind.IpPrefix, true);
                break;
            case SubjectIdentifierKind.Visitor:
                yield return (PseudonymKind.Visitor, false);
                break;
            case SubjectIdentifierKind.Session:
                yield return (PseudonymKind.Session, false);
                break;
        }
    }

    private static void AddEpochs(
        List<SubjectPseudonym> found,
        HashSet<Pseudonym> seen,
        Pseudonymizer pseudonymizer,
        int identifier,
        PseudonymKind kind,
        bool context,
        string value,
        ushort keyId,
        PseudonymScope scope,
        DateTimeOffset from,
        DateTimeOffset to,
        string? callingCode)
    {
        var first = pseudonymizer.EpochOf(scope, from);
        var last = Math.Min(pseudonymizer.EpochOf(scope, to), first + MaxEpochs - 1);
        var length = scope == PseudonymScope.Analytics ? 86_400L : pseudonymizer.FraudWindowSeconds;
        for (var epoch = first; epoch <= last; epoch++)
        {
            var p = pseudonymizer.PseudonymizeAt(kind, value, keyId, epoch, scope, callingCode);
            if (p.IsEmpty || !seen.Add(p))
            {
                continue;
            }

            found.Add(new SubjectPseudonym(
                identifier,
                kind,
                scope,
                keyId,
                epoch,
                DateTimeOffset.FromUnixTimeSeconds(epoch * length),
                DateTimeOffset.FromUnixTimeSeconds((epoch + 1) * length),
                p,
                context));
        }
    }
}
