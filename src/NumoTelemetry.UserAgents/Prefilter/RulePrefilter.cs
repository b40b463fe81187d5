namespace NumoTelemetry.UserAgents.Prefilter;

/// <summary>
/// Selects the candidate rules for a User-Agent. Every rule carries a condition in conjunctive normal
/// form over literal atoms (see <see cref="AtomExtractor"/>). Its best clause is the trigger: the rule
/// becomes a candidate when an atom of that clause occurs. Its other clauses are checked before the
/// regex runs. Rules without a condition are always candidates.
/// </summary>
internal sealed class RulePrefilter
{
    private readonly AhoCorasickAutomaton _automaton;
    private readonly ulong[] _alwaysRun;
    private readonly int[] _triggerStart;
    private readonly int[] _triggerRules;
    private readonly int[] _ruleClauseStart;
    private readonly int[] _clauseAtomStart;
    private readonly int[] _clauseAtoms;
    private readonly int[] _conditionClauseStart;

    /// <summary>
    /// Builds the prefilter; <paramref name="ruleClauses"/>[i] is rule i's condition, best clause first.
    /// <paramref name="conditions"/> are further conditions (of rule branches) checked whole with
    /// <see cref="CheckCondition"/>, by their index.
    /// </summary>
    // Long because: the prefilter's flat tables (atoms, clauses, conditions) built in one pass.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public RulePrefilter(IReadOnlyList<List<string[]>> ruleClauses, IReadOnlyList<List<string[]>>? conditions = null)
    {
        ArgumentNullException.ThrowIfNull(ruleClauses);
        conditions ??= [];
        var atomIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var atoms = new List<string>();
        var ruleCount = ruleClauses.Count;
        RuleCount = ruleCount;
        RuleWords = (ruleCount + 63) >> 6;
        _alwaysRun = new ulong[RuleWords];
        var triggers = new List<List<int>>();
        var ruleClauseStart = new int[ruleCount + 1];
        var clauseAtomStart = new List<int>();
        var clauseAtoms = new List<int>();

        int AtomId(string atom)
        {
            if (!atomIds.TryGetValue(atom, out var id))
            {
                id = atoms.Count;
                atomIds.Add(atom, id);
                atoms.Add(atom);
                triggers.Add([]);
            }

            return id;
        }

        // Number every atom, then build the automaton, then learn how common each atom is.
        var ruleAtoms = new int[ruleCount][][];
        for (var rule = 0; rule < ruleCount; rule++)
        {
            var clauses = ruleClauses[rule];
            ruleAtoms[rule] = new int[clauses.Count][];
            for (var c = 0; c < clauses.Count; c++)
            {
                var ids = new int[clauses[c].Length];
                for (var i = 0; i < ids.Length; i++)
                {
                    ids[i] = AtomId(clauses[c][i]);
                }

                ruleAtoms[rule][c] = ids;
            }
        }

        var conditionAtoms = new int[conditions.Count][][];
        for (var k = 0; k < conditions.Count; k++)
        {
            conditionAtoms[k] = new int[conditions[k].Count][];
            for (var c = 0; c < conditions[k].Count; c++)
            {
                conditionAtoms[k][c] = Array.ConvertAll(conditions[k][c], AtomId);
            }
        }

        AtomCount = atoms.Count;
        AtomWords = Math.Max(1, (atoms.Count + 63) >> 6);
        _automaton = new AhoCorasickAutomaton(atoms);
        var frequency = AtomFrequencies(_automaton, atoms.Count, AtomWords);

        for (var rule = 0; rule < ruleCount; rule++)
        {
            var clauses = ruleAtoms[rule];
            ruleClauseStart[rule] = clauseAtomStart.Count;
            if (clauses.Length == 0)
            {
                _alwaysRun[rule >> 6] |= 1UL << rule;
                AlwaysRunCount++;
                continue;
            }

            var trigger = RarestClause(clauses, frequency);
            foreach (var atom in clauses[trigger])
            {
                var list = triggers[atom];
                if (list.Count == 0 || list[^1] != rule)
                {
                    list.Add(rule);
                }
            }

            for (var c = 0; c < clauses.Length; c++)
            {
                if (c == trigger)
                {
                    continue;
                }

                clauseAtomStart.Add(clauseAtoms.Count);
                clauseAtoms.AddRange(clauses[c]);
            }
        }

        ruleClauseStart[ruleCount] = clauseAtomStart.Count;
        _conditionClauseStart = new int[conditions.Count + 1];
        for (var k = 0; k < conditions.Count; k++)
        {
            _conditionClauseStart[k] = clauseAtomStart.Count;
            foreach (var clause in conditionAtoms[k])
            {
                clauseAtomStart.Add(clauseAtoms.Count);
                clauseAtoms.AddRange(clause);
            }
        }

        _conditionClauseStart[conditions.Count] = clauseAtomStart.Count;
        clauseAtomStart.Add(clauseAtoms.Count);
        _ruleClauseStart = ruleClauseStart;
        _clauseAtomStart = [.. clauseAtomStart];
        _clauseAtoms = [.. clauseAtoms];

        _triggerStart = new int[atoms.Count + 1];
        var flat = new List<int>();
        for (var a = 0; a < atoms.Count; a++)
        {
            _triggerStart[a] = flat.Count;
            flat.AddRange(triggers[a]);
        }

        _triggerStart[atoms.Count] = flat.Count;
        _triggerRules = [.. flat];
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int[] AtomFrequencies(AhoCorasickAutomaton automaton, int atomCount, int atomWords)
    {
        var frequency = new int[atomCount];
        var found = new ulong[atomWords];
        foreach (var ua in TypicalUserAgents.All)
        {
            Array.Clear(found);
            automaton.Scan(ua, found);
            for (var a = 0; a < atomCount; a++)
            {
                if ((found[a >> 6] & (1UL << a)) != 0)
                {
                    frequency[a]++;
                }
            }
        }

        return frequency;
    }

    /// <summary>The clause least likely to fire on everyday traffic: fewest sample hits, then fewest atoms.</summary>
    private static int RarestClause(int[][] clauses, int[] frequency)
    {
        var best = 0;
        var bestScore = long.MaxValue;
        for (var c = 0; c < clauses.Length; c++)
        {
            long hits = 0;
            foreach (var atom in clauses[c])
            {
                hits += frequency[atom];
            }

            var score = (hits * 100_000) + clauses[c].Length;
            if (score < bestScore)
            {
                (best, bestScore) = (c, score);
            }
        }

        return best;
    }

    /// <summary>Number of rules.</summary>
    public int RuleCount { get; }

    /// <summary>Number of rules without a usable atom condition.</summary>
    public int AlwaysRunCount { get; }

    /// <summary>Number of distinct atoms.</summary>
    public int AtomCount { get; }

    /// <summary>Length in 64-bit words of the atom bit set passed to <see cref="Scan"/>.</summary>
    public int AtomWords { get; }

    /// <summary>Length in 64-bit words of the candidate bit set passed to <see cref="Scan"/>.</summary>
    public int RuleWords { get; }

    /// <summary>The automaton (for diagnostics).</summary>
    public AhoCorasickAutomaton Automaton => _automaton;

    /// <summary>
    /// Finds the atoms in <paramref name="text"/> and marks the candidate rules. Both spans must be
    /// zeroed and sized <see cref="AtomWords"/> and <see cref="RuleWords"/>.
    /// </summary>
    public void Scan(ReadOnlySpan<char> text, Span<ulong> atoms, Span<ulong> candidates)
    {
        _alwaysRun.CopyTo(candidates);
        if (!_automaton.Scan(text, atoms))
        {
            return;
        }

        var triggerStart = _triggerStart;
        var triggerRules = _triggerRules;
        for (var w = 0; w < atoms.Length; w++)
        {
            var bits = atoms[w];
            while (bits != 0)
            {
                var atom = (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                var end = triggerStart[atom + 1];
                for (var i = triggerStart[atom]; i < end; i++)
                {
                    var rule = triggerRules[i];
                    candidates[rule >> 6] |= 1UL << rule;
                }
            }
        }
    }

    /// <summary>Checks the rule's clauses other than its trigger against the atoms found.</summary>
    public bool Check(int rule, ReadOnlySpan<ulong> atoms) => CheckClauses(_ruleClauseStart[rule], _ruleClauseStart[rule + 1], atoms);

    /// <summary>Checks every clause of the further condition <paramref name="condition"/> against the atoms found.</summary>
    public bool CheckCondition(int condition, ReadOnlySpan<ulong> atoms) =>
        CheckClauses(_conditionClauseStart[condition], _conditionClauseStart[condition + 1], atoms);

    private bool CheckClauses(int start, int end, ReadOnlySpan<ulong> atoms)
    {
        for (var c = start; c < end; c++)
        {
            var satisfied = false;
            var atomEnd = _clauseAtomStart[c + 1];
            for (var i = _clauseAtomStart[c]; i < atomEnd; i++)
            {
                var atom = _clauseAtoms[i];
                if ((atoms[atom >> 6] & (1UL << atom)) != 0)
                {
                    satisfied = true;
                    break;
                }
            }

            if (!satisfied)
            {
                return false;
            }
        }

        return true;
    }
}
