using System.Collections.Concurrent;
using System.Numerics;
using NumoTelemetry.UserAgents.Data;
using NumoTelemetry.UserAgents.Internal;
using NumoTelemetry.UserAgents.Prefilter;

namespace NumoTelemetry.UserAgents.Engine;

/// <summary>
/// The uncached parse: one Aho-Corasick pass marks the candidate rules of all four sections, then each
/// section runs only its candidates, in file order, and the first match wins (uap-core semantics).
/// </summary>
internal sealed class UapEngine
{
    private const int MaxSpiderNames = 1024;
    private const int MaxInternedLength = 64; // families, versions, models; a longer value is not shared
    private readonly CompiledRule[] _rules;
    private readonly CompiledRule[]?[] _branches;
    private readonly int[] _branchConditionStart;
    private readonly int[] _sectionStart = new int[5];
    private readonly RulePrefilter _prefilter;
    private readonly BoundedInterner _interner;
    private readonly EngineCounters _counters;
    private readonly bool _usePrefilter;
    private readonly ConcurrentDictionary<string, BotInfo> _spiderBots = new(StringComparer.Ordinal);
    private bool _warmingUp;

    /// <summary>
    /// Builds the engine over <paramref name="rules"/> (sections in <see cref="RuleSection"/> order) and their
    /// prefilter conditions (<paramref name="clauses"/>[i] for rule i, from <see cref="AtomExtractor"/>), and
    /// the branches of the rules split by <see cref="AlternationSplitter"/> (<paramref name="branches"/>[i],
    /// null for a rule searched whole).
    /// </summary>
    public UapEngine(IReadOnlyList<RuleDefinition> rules, IReadOnlyList<List<string[]>> clauses, IReadOnlyList<RuleBranch[]?> branches, TimeSpan matchTimeout, int hotThreshold, EngineCounters counters, bool usePrefilter = true)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(clauses);
        ArgumentNullException.ThrowIfNull(branches);
        if (clauses.Count != rules.Count || branches.Count != rules.Count)
        {
            throw new ArgumentException("One condition and one branch list per rule are required.", nameof(clauses));
        }

        _branches = new CompiledRule[]?[rules.Count];
        _branchConditionStart = new int[rules.Count];
        var conditions = new List<List<string[]>>();

        _counters = counters;
        _usePrefilter = usePrefilter;
        _rules = new CompiledRule[rules.Count];
        var section = 0;
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            while (section < (int)rule.Section)
            {
                _sectionStart[++section] = i;
            }

            _rules[i] = new CompiledRule(rule, matchTimeout, hotThreshold, counters);
            if (usePrefilter && branches[i] is { } ruleBranches)
            {
                // A split rule is searched branch by branch (each compiled on its own once hot); only the
                // rule's extraction regex is ever built whole.
                var searches = new CompiledRule[ruleBranches.Length];
                _branchConditionStart[i] = conditions.Count;
                for (var b = 0; b < ruleBranches.Length; b++)
                {
                    searches[b] = new CompiledRule(new RuleDefinition(rule.Section, ruleBranches[b].Pattern, rule.IgnoreCase, []), matchTimeout, hotThreshold, counters, searchOnly: true);
                    conditions.Add(ruleBranches[b].Clauses);
                }

                _branches[i] = searches;
            }
        }

        while (section < 4)
        {
            _sectionStart[++section] = rules.Count;
        }

        _prefilter = new RulePrefilter(clauses, conditions);
        _interner = new BoundedInterner(8192, MaxInternedLength);
    }

    /// <summary>All rules, in engine order.</summary>
    public IReadOnlyList<CompiledRule> Rules => _rules;

    /// <summary>The prefilter (for diagnostics).</summary>
    public RulePrefilter Prefilter => _prefilter;

    /// <summary>How many regexes of the rules and their branches have been built so far (for tests).</summary>
    internal int BuiltRegexCount()
    {
        var count = 0;
        for (var i = 0; i < _rules.Length; i++)
        {
            count += _rules[i].BuiltRegexCount;
            foreach (var branch in _branches[i] ?? [])
            {
                count += branch.BuiltRegexCount;
            }
        }

        return count;
    }

    /// <summary>The number of rules of <paramref name="section"/>.</summary>
    public int CountOf(RuleSection section) => _sectionStart[(int)section + 1] - _sectionStart[(int)section];

    /// <summary>
    /// Parses <paramref name="userAgents"/> and discards the results, so that the parse path is JIT-compiled
    /// and the regexes they reach are built. Their regex evaluations are neither counted nor count towards a
    /// rule's compilation to IL (that is for rules hot in real traffic). Call before the engine is shared.
    /// Never throws: a timeout reads as no match, a pattern .NET rejects is counted invalid and skipped.
    /// </summary>
    public void WarmUp(IEnumerable<string> userAgents)
    {
        _warmingUp = true;
        try
        {
            foreach (var ua in userAgents)
            {
                try
                {
                    Parse(ua, oversized: false, out _);
                }
                catch (ArgumentException)
                {
                    // Best effort, as before: a rule whose extraction form .NET rejects fails the same way on a request.
                }
            }
        }
        finally
        {
            _warmingUp = false;
        }
    }

    /// <summary>
    /// Parses <paramref name="text"/> (already cut to the length cap). <paramref name="timedOut"/> tells
    /// whether a regex hit the match timeout, in which case the result may be incomplete and should
    /// not be cached.
    /// </summary>
    public UserAgentInfo Parse(string text, bool oversized, out bool timedOut)
    {
        timedOut = false;
        Span<ulong> atoms = stackalloc ulong[_prefilter.AtomWords];
        Span<ulong> candidates = stackalloc ulong[_prefilter.RuleWords];
        if (_usePrefilter)
        {
            _prefilter.Scan(text, atoms, candidates);
        }
        else
        {
            candidates.Fill(ulong.MaxValue);
        }

        var values = default(FieldValues);
        var browser = MatchSection(text, RuleSection.UserAgent, atoms, candidates, ref values, ref timedOut)
            ? new VersionedFamily(values[0] ?? "Other", values[1], values[2], values[3], values[4])
            : VersionedFamily.Other;
        var os = MatchSection(text, RuleSection.Os, atoms, candidates, ref values, ref timedOut)
            ? new VersionedFamily(values[0] ?? "Other", values[1], values[2], values[3], values[4])
            : VersionedFamily.Other;
        var device = MatchSection(text, RuleSection.Device, atoms, candidates, ref values, ref timedOut)
            ? new DeviceInfo(values[0] ?? "Other", values[1], values[2])
            : DeviceInfo.Other;

        var bot = BotInfo.NotABot;
        var rule = FindFirst(text, RuleSection.Bot, atoms, candidates, ref timedOut, out _);
        if (rule >= 0)
        {
            bot = _rules[rule].Definition.Bot ?? BotInfo.NotABot;
        }
        else if (device.Family == "Spider")
        {
            bot = SpiderBot(browser.Family);
        }

        var deviceType = DeviceTypeClassifier.Classify(text, bot, os, device);
        return new UserAgentInfo(browser, os, device, bot, deviceType, oversized);
    }

    /// <summary>Runs one section; on a match fills <paramref name="values"/> with the rule's fields.</summary>
    private bool MatchSection(string text, RuleSection section, ReadOnlySpan<ulong> atoms, ReadOnlySpan<ulong> candidates, ref FieldValues values, ref bool timedOut)
    {
        var rule = FindFirst(text, section, atoms, candidates, ref timedOut, out var index);
        if (rule < 0)
        {
            return false;
        }

        values = default;
        _rules[rule].Extract(text, index, _interner, ref values, ref timedOut);
        return true;
    }

    private int FindFirst(string text, RuleSection section, ReadOnlySpan<ulong> atoms, ReadOnlySpan<ulong> candidates, ref bool timedOut, out int index)
    {
        index = -1;
        var start = _sectionStart[(int)section];
        var end = _sectionStart[(int)section + 1];
        if (start == end)
        {
            return -1;
        }

        var lastWord = (end - 1) >> 6;
        for (var w = start >> 6; w <= lastWord; w++)
        {
            var bits = candidates[w];
            if (w == start >> 6)
            {
                bits &= ulong.MaxValue << (start & 63);
            }

            if (w == lastWord && (end & 63) != 0)
            {
                bits &= (1UL << (end & 63)) - 1;
            }

            while (bits != 0)
            {
                var rule = (w << 6) + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                if (!_usePrefilter || _prefilter.Check(rule, atoms))
                {
                    if (_branches[rule] is { } branches)
                    {
                        index = MatchBranches(text, branches, _branchConditionStart[rule], atoms, ref timedOut);
                        if (index >= 0 && !_rules[rule].PrepareExtract())
                        {
                            index = -1;
                        }
                    }
                    else
                    {
                        index = _rules[rule].Match(text, !_warmingUp, ref timedOut);
                    }

                    if (index >= 0)
                    {
                        return rule;
                    }
                }
            }
        }

        return -1;
    }

    /// <summary>
    /// Where the leftmost match of a split rule starts: the smallest leftmost start among its branches
    /// whose atom condition holds (a branch whose atoms are absent cannot match), or -1.
    /// </summary>
    private int MatchBranches(string text, CompiledRule[] branches, int firstCondition, ReadOnlySpan<ulong> atoms, ref bool timedOut)
    {
        var best = -1;
        for (var b = 0; b < branches.Length; b++)
        {
            if (!_prefilter.CheckCondition(firstCondition + b, atoms))
            {
                continue;
            }

            var index = branches[b].Match(text, !_warmingUp, ref timedOut);
            if (index >= 0 && (best < 0 || index < best))
            {
                best = index;
                if (best == 0)
                {
                    break;
                }
            }
        }

        return best;
    }

    private BotInfo SpiderBot(string family)
    {
        if (family == "Other")
        {
            return SpiderWithoutName;
        }

        if (_spiderBots.TryGetValue(family, out var bot))
        {
            return bot;
        }

        bot = new BotInfo(BotKind.Crawler, family);
        return _spiderBots.Count < MaxSpiderNames ? _spiderBots.GetOrAdd(family, bot) : bot;
    }

    private static BotInfo SpiderWithoutName { get; } = new(BotKind.Crawler, null);
}
