namespace NumoTelemetry.UserAgents.Prefilter;

/// <summary>
/// Derives from a regular expression the literal atoms any match must contain (FilteredRE2-style
/// AND-of-OR), so that a rule only runs when its atoms occur in the User-Agent. The result is a
/// necessary condition: dropping information is always safe (it only makes a rule run more often),
/// so every limit below weakens the condition rather than risking a missed match.
/// </summary>
internal static class AtomExtractor
{
    /// <summary>Atoms shorter than this are too common to be worth indexing.</summary>
    public const int MinAtomLength = 2;

    private const int MaxExactSetSize = 16;
    private const int MaxClauses = 6;
    private const int MaxClauseAtoms = 2048;
    private const int MaxCharSetSize = 4;
    private const int MaxMinimizedClause = 64;

    /// <summary>
    /// Returns the clauses every match of <paramref name="pattern"/> satisfies, best first; an empty list
    /// when no safe atom set can be derived (the rule must always run).
    /// </summary>
    public static List<string[]> Extract(string pattern, bool ignoreCase)
    {
        _ = ignoreCase; // atoms are case-folded for every rule; the scan folds the text the same way
        RegexNode root;
        try
        {
            root = RegexSyntaxParser.Parse(pattern);
        }
        catch (FormatException)
        {
            return [];
        }

        var clauses = ToClauses(Analyze(root));
        clauses.Sort(CompareClauses);
        var result = new List<string[]>(clauses.Count);
        foreach (var clause in clauses)
        {
            var atoms = new string[clause.Count];
            clause.CopyTo(atoms);
            Array.Sort(atoms, StringComparer.Ordinal);
            result.Add(atoms);
        }

        return result;
    }

    private static AtomInfo Analyze(RegexNode node)
    {
        switch (node.Kind)
        {
            case RegexNodeKind.Literal:
                return node.Char < 128 ? Single(char.ToLowerInvariant(node.Char).ToString()) : AtomInfo.Anything();
            case RegexNodeKind.CharSet:
                return AnalyzeSet(node.Chars);
            case RegexNodeKind.Empty:
                return Single(string.Empty);
            case RegexNodeKind.Concat:
                return AnalyzeConcat(node.Children);
            case RegexNodeKind.Alternate:
                return AnalyzeAlternate(node.Children);
            case RegexNodeKind.Repeat:
                return AnalyzeRepeat(node);
            default:
                return AtomInfo.Anything();
        }
    }

    private static AtomInfo Single(string s) => AtomInfo.ForExact(new HashSet<string>(StringComparer.Ordinal) { s });

    private static AtomInfo AnalyzeSet(string chars)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in chars)
        {
            if (c >= 128)
            {
                return AtomInfo.Anything();
            }

            set.Add(char.ToLowerInvariant(c).ToString());
            if (set.Count > MaxCharSetSize)
            {
                return AtomInfo.Anything();
            }
        }

        return AtomInfo.ForExact(set);
    }

    private static AtomInfo AnalyzeConcat(IReadOnlyList<RegexNode> children)
    {
        var current = new HashSet<string>(StringComparer.Ordinal) { string.Empty };
        List<HashSet<string>>? clauses = null;
        foreach (var child in children)
        {
            var info = Analyze(child);
            if (info.Exact is not null && current.Count * info.Exact.Count <= MaxExactSetSize)
            {
                current = Cross(current, info.Exact);
                continue;
            }

            clauses = And(clauses ?? [], ToClauses(AtomInfo.ForExact(current)));
            if (info.Exact is not null)
            {
                current = info.Exact;
            }
            else
            {
                clauses = And(clauses, info.Clauses);
                current = [string.Empty];
            }
        }

        if (clauses is null)
        {
            return AtomInfo.ForExact(current);
        }

        return AtomInfo.ForClauses(And(clauses, ToClauses(AtomInfo.ForExact(current))));
    }

    private static AtomInfo AnalyzeAlternate(IReadOnlyList<RegexNode> children)
    {
        var infos = new List<AtomInfo>(children.Count);
        var allExact = true;
        var union = new HashSet<string>(StringComparer.Ordinal);
        foreach (var child in children)
        {
            var info = Analyze(child);
            infos.Add(info);
            if (info.Exact is null)
            {
                allExact = false;
            }
            else
            {
                union.UnionWith(info.Exact);
            }
        }

        if (allExact && union.Count <= MaxExactSetSize)
        {
            return AtomInfo.ForExact(union);
        }

        // Fast path: every alternative needs one clause, so the alternation needs their union.
        var union1 = new HashSet<string>(StringComparer.Ordinal);
        var single = true;
        foreach (var info in infos)
        {
            var clauses = ToClauses(info);
            if (clauses.Count == 0)
            {
                return AtomInfo.Anything();
            }

            if (clauses.Count != 1)
            {
                single = false;
                break;
            }

            union1.UnionWith(clauses[0]);
        }

        if (single)
        {
            return union1.Count <= MaxClauseAtoms ? AtomInfo.ForClauses([Minimize(union1)]) : AtomInfo.Anything();
        }

        var result = ToClauses(infos[0]);
        for (var i = 1; i < infos.Count; i++)
        {
            result = Or(result, ToClauses(infos[i]));
        }

        return AtomInfo.ForClauses(result);
    }

    private static AtomInfo AnalyzeRepeat(RegexNode node)
    {
        var child = Analyze(node.Children[0]);
        if (node.Min == 0)
        {
            if (node.Max == 1 && child.Exact is not null && child.Exact.Count < MaxExactSetSize)
            {
                var optional = new HashSet<string>(child.Exact, StringComparer.Ordinal) { string.Empty };
                return AtomInfo.ForExact(optional);
            }

            return AtomInfo.Anything();
        }

        if (node.Min == 1 && node.Max == 1)
        {
            return child;
        }

        // x{n,m} with n >= 1 contains at least one x: require x's condition (not x's exact set).
        return AtomInfo.ForClauses(ToClauses(child));
    }

    private static HashSet<string> Cross(HashSet<string> left, HashSet<string> right)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var l in left)
        {
            foreach (var r in right)
            {
                result.Add(l + r);
            }
        }

        return result;
    }

    /// <summary>Converts info to clauses; an exact set with a string too short to index gives "anything".</summary>
    private static List<HashSet<string>> ToClauses(AtomInfo info)
    {
        if (info.Exact is null)
        {
            return info.Clauses;
        }

        foreach (var s in info.Exact)
        {
            if (s.Length < MinAtomLength)
            {
                return [];
            }
        }

        return [Minimize(info.Exact)];
    }

    /// <summary>Drops atoms that contain another atom of the same clause (the shorter one is implied).</summary>
    private static HashSet<string> Minimize(HashSet<string> clause)
    {
        if (clause.Count > MaxMinimizedClause)
        {
            return clause; // redundant atoms are harmless; skip the quadratic pass on huge alternations
        }

        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in clause)
        {
            var redundant = false;
            foreach (var t in clause)
            {
                if (!ReferenceEquals(s, t) && t.Length < s.Length && s.Contains(t, StringComparison.Ordinal))
                {
                    redundant = true;
                    break;
                }
            }

            if (!redundant)
            {
                result.Add(s);
            }
        }

        return result;
    }

    private static List<HashSet<string>> And(List<HashSet<string>> left, List<HashSet<string>> right)
    {
        var result = new List<HashSet<string>>(left.Count + right.Count);
        result.AddRange(left);
        foreach (var clause in right)
        {
            if (!result.Exists(c => c.SetEquals(clause)))
            {
                result.Add(clause);
            }
        }

        return Best(result, MaxClauses);
    }

    private static List<HashSet<string>> Or(List<HashSet<string>> left, List<HashSet<string>> right)
    {
        if (left.Count == 0 || right.Count == 0)
        {
            return [];
        }

        var result = new List<HashSet<string>>();
        foreach (var l in Best(left, 3))
        {
            foreach (var r in Best(right, 3))
            {
                var clause = new HashSet<string>(l, StringComparer.Ordinal);
                clause.UnionWith(r);
                if (clause.Count <= MaxClauseAtoms)
                {
                    result.Add(Minimize(clause));
                }
            }
        }

        return Best(result, MaxClauses);
    }

    private static List<HashSet<string>> Best(List<HashSet<string>> clauses, int count)
    {
        if (clauses.Count <= count)
        {
            return clauses;
        }

        var sorted = new List<HashSet<string>>(clauses);
        sorted.Sort(CompareClauses);
        return sorted.GetRange(0, count);
    }

    /// <summary>Better clauses first: longer shortest atom (rarer), then fewer atoms.</summary>
    private static int CompareClauses(HashSet<string> x, HashSet<string> y)
    {
        var byLength = MinLength(y).CompareTo(MinLength(x));
        return byLength != 0 ? byLength : x.Count.CompareTo(y.Count);
    }

    private static int MinLength(HashSet<string> clause)
    {
        var min = int.MaxValue;
        foreach (var s in clause)
        {
            min = Math.Min(min, s.Length);
        }

        return min;
    }
}
