namespace NumoTelemetry.UserAgents.Data;

/// <summary>
/// One branch of a rule split by <see cref="Prefilter.AlternationSplitter"/>: its search pattern and the
/// prefilter condition (clauses of atoms) any match of it satisfies.
/// </summary>
/// <param name="Pattern">The branch's search pattern.</param>
/// <param name="Clauses">Its condition, in conjunctive normal form over atoms.</param>
internal sealed record RuleBranch(string Pattern, List<string[]> Clauses)
{
    /// <summary>
    /// Splits <paramref name="rule"/> into branches with their conditions, or returns <see langword="null"/>
    /// when it is not a large alternation or some branch has no atom condition (then splitting saves nothing).
    /// </summary>
    public static RuleBranch[]? Derive(RuleDefinition rule)
    {
        var patterns = Prefilter.AlternationSplitter.Split(rule.Pattern);
        if (patterns is null)
        {
            return null;
        }

        var branches = new RuleBranch[patterns.Length];
        for (var i = 0; i < patterns.Length; i++)
        {
            var clauses = Prefilter.AtomExtractor.Extract(patterns[i], rule.IgnoreCase);
            if (clauses.Count == 0)
            {
                return null;
            }

            branches[i] = new RuleBranch(patterns[i], clauses);
        }

        return branches;
    }
}
