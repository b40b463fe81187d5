namespace NumoTelemetry.UserAgents.Prefilter;

/// <summary>
/// What a sub-expression tells about the text it matches (FilteredRE2's "info"): either the exact,
/// small set of strings it matches, or a necessary condition in conjunctive normal form: every clause
/// (a set of atoms) must have at least one atom present in the text. No clause at all means "anything".
/// All strings are ASCII and lower-cased, because the text is folded the same way before the scan.
/// </summary>
internal sealed class AtomInfo
{
    private AtomInfo(HashSet<string>? exact, List<HashSet<string>>? clauses)
    {
        Exact = exact;
        Clauses = clauses ?? [];
    }

    /// <summary>The exact set of strings matched, or <see langword="null"/> when unknown or too large.</summary>
    public HashSet<string>? Exact { get; }

    /// <summary>The necessary condition (used when <see cref="Exact"/> is <see langword="null"/>).</summary>
    public List<HashSet<string>> Clauses { get; }

    /// <summary>Matches anything: no literal is required.</summary>
    public static AtomInfo Anything() => new(null, null);

    public static AtomInfo ForExact(HashSet<string> exact) => new(exact, null);

    public static AtomInfo ForClauses(List<HashSet<string>> clauses) => new(null, clauses);
}
