using System.Text.RegularExpressions;
using NumoTelemetry.UserAgents.Data;
using NumoTelemetry.UserAgents.Internal;

namespace NumoTelemetry.UserAgents.Engine;

/// <summary>
/// One rule at run time. Its regex is built on first use, interpreted (cheap to build), so
/// start-up and the first parses never wait for IL compilation; once the rule has run <see cref="HotThreshold"/> times it is
/// recompiled to IL on the thread pool and swapped in. Matching uses ECMAScript semantics, as uap-core's
/// reference implementation does (ASCII <c>\d</c> and <c>\w</c>), culture-invariant case folding, and a
/// match timeout whose hits are counted.
/// </summary>
internal sealed class CompiledRule
{
    private readonly RuleDefinition _definition;
    private readonly RegexOptions _options;
    private readonly TimeSpan _timeout;
    private readonly int _hotThreshold;
    private readonly EngineCounters _counters;
    private readonly bool _searchOnly;
    private Regex? _search;
    private Regex? _extract;
    private RuleTemplate? _template;
    private volatile int _invalid;
    private int _uses;

    /// <summary>Creates the rule; nothing is compiled yet. A <paramref name="searchOnly"/> rule (a branch of a split rule) only ever searches.</summary>
    public CompiledRule(RuleDefinition definition, TimeSpan timeout, int hotThreshold, EngineCounters counters, bool searchOnly = false)
    {
        _searchOnly = searchOnly;
        _definition = definition;
        _options = RegexOptions.ECMAScript | RegexOptions.CultureInvariant | (definition.IgnoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        _timeout = timeout;
        _hotThreshold = hotThreshold;
        _counters = counters;
    }

    /// <summary>The rule's definition.</summary>
    public RuleDefinition Definition => _definition;

    /// <summary>Uses after which the rule is compiled to IL; 0 never compiles.</summary>
    public int HotThreshold => _hotThreshold;

    /// <summary>How often the rule has been evaluated (approximate under concurrency; for diagnostics).</summary>
    public int Uses => _uses;

    /// <summary>How many of the rule's regexes (search, extraction) have been built so far (for tests).</summary>
    internal int BuiltRegexCount => (_search is null ? 0 : 1) + (_extract is null ? 0 : 1);

    /// <summary>Whether the pattern failed to compile (such a rule never matches; counted once).</summary>
    public bool IsInvalid => _invalid != 0;

    /// <summary>
    /// Where the leftmost match of the rule in <paramref name="text"/> starts, or -1; a timeout counts,
    /// sets <paramref name="timedOut"/> and reads as no match. Allocates nothing. Unless <paramref name="countUse"/>
    /// (false for the warm-up), the evaluation is neither counted nor brings the rule closer to compilation.
    /// </summary>
    public int Match(string text, bool countUse, ref bool timedOut)
    {
        var search = _search ?? CreateSearch();
        if (search is null)
        {
            return -1;
        }

        if (countUse)
        {
            if (++_uses == _hotThreshold)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static state => state.Rule.Compile(state.Sample), (Rule: this, Sample: text), preferLocal: false);
            }

            _counters.RegexRuns.Increment();
        }

        try
        {
            foreach (var match in search.EnumerateMatches(text))
            {
                return match.Index;
            }

            return -1;
        }
        catch (RegexMatchTimeoutException)
        {
            _counters.RegexTimeouts.Increment();
            timedOut = true;
            return -1;
        }
    }

    /// <summary>
    /// Fills <paramref name="values"/> with the output fields of the rule's match at <paramref name="index"/>
    /// (from <see cref="Match"/>); a timeout leaves the captured fields empty and sets <paramref name="timedOut"/>.
    /// </summary>
    public void Extract(string text, int index, BoundedInterner interner, ref FieldValues values, ref bool timedOut)
    {
        var template = _template ?? EnsureTemplate();
        var fieldCount = template.Literals.Count;
        for (var i = 0; i < fieldCount; i++)
        {
            values[i] = template.Literals[i];
        }

        if (template.Template is null)
        {
            return;
        }

        var extract = _extract ?? CreateExtract();
        if (text.Contains(RuleTemplate.Separator, StringComparison.Ordinal))
        {
            ExtractWithMatch(extract, text, index, interner, ref values, ref timedOut);
            return;
        }

        string output;
        try
        {
            output = extract.Replace(text, template.Template, 1, index);
        }
        catch (RegexMatchTimeoutException)
        {
            _counters.RegexTimeouts.Increment();
            timedOut = true;
            return;
        }

        // The text before the match is copied through; the template's output follows it.
        var rest = output.AsSpan(Math.Min(index, output.Length));
        var slots = template.Slots;
        for (var k = 0; k < slots.Count; k++)
        {
            ReadOnlySpan<char> segment;
            var end = k == slots.Count - 1 ? -1 : rest.IndexOf(RuleTemplate.Separator);
            if (end < 0)
            {
                segment = rest;
                rest = default;
            }
            else
            {
                segment = rest[..end];
                rest = rest[(end + 1)..];
            }

            var field = slots[k];
            if (template.Trim[field])
            {
                segment = segment.Trim();
            }

            values[field] = segment.IsEmpty ? null : interner.Intern(segment);
        }
    }

    /// <summary>
    /// The slow path of <see cref="Extract"/> for a User-Agent that contains the separator itself: one
    /// Match, each slot expanded from it on its own.
    /// </summary>
    private void ExtractWithMatch(Regex extract, string text, int index, BoundedInterner interner, ref FieldValues values, ref bool timedOut)
    {
        var template = _template!;
        Match match;
        try
        {
            match = extract.Match(text, index);
        }
        catch (RegexMatchTimeoutException)
        {
            _counters.RegexTimeouts.Increment();
            timedOut = true;
            return;
        }

        if (!match.Success)
        {
            return;
        }

        for (var k = 0; k < template.Slots.Count; k++)
        {
            var field = template.Slots[k];
            ReadOnlySpan<char> segment = match.Result(template.SlotTemplates[k]);
            if (template.Trim[field])
            {
                segment = segment.Trim();
            }

            values[field] = segment.IsEmpty ? null : interner.Intern(segment);
        }
    }

    /// <summary>
    /// Builds, runs and discards two small regexes with the rules' options, so that the regex engine's
    /// one-time start-up in a process (parser, interpreter, case tables, replacement) is done.
    /// </summary>
    public static void WarmUpRegexEngine(TimeSpan timeout) => WarmUpBestEffort(WarmUpRegexes, timeout);

    /// <summary>
    /// Runs a warm-up that may time out: it runs on the thread pool with the configured match timeout, and on a
    /// loaded machine (or with a tiny timeout) its match can time out; unhandled there, that would end the process.
    /// A warm-up that timed out just did less warming.
    /// </summary>
    internal static void WarmUpBestEffort(Action<TimeSpan> warmUp, TimeSpan timeout)
    {
        try
        {
            warmUp(timeout);
        }
        catch (RegexMatchTimeoutException)
        {
            // Best effort: the first real parse pays the rest.
        }
    }

    private static void WarmUpRegexes(TimeSpan timeout)
    {
        const string sample = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131.0.0.0 Mobile Safari/537.36";
        var options = RegexOptions.ECMAScript | RegexOptions.CultureInvariant;

        // The configured timeout is used so that the same (timeout-checking) code is warmed; a tiny one
        // may fire here, which is harmless: this runs on the thread pool and must never throw.
        try
        {
            var search = new Regex(@"(Chrome)/(\d+)\.(\d+)(?:\.(\d+)|)", options, timeout);
            foreach (var match in search.EnumerateMatches(sample))
            {
                _ = match.Index;
            }

            var extract = new Regex(@"\G(?:; *([^;/]+) Build|android (\d+))[\s\S]*", options | RegexOptions.IgnoreCase, timeout);
            _ = extract.Replace(sample, "${1}\uFFFF${2}", 1, 0);
        }
        catch (RegexMatchTimeoutException)
        {
        }
    }

    /// <summary>Builds the regexes now (used by tests to validate every rule, including its extraction form).</summary>
    public bool EnsureCreated()
    {
        if ((_search ?? CreateSearch()) is null)
        {
            return false;
        }

        _ = _extract ?? CreateExtract();
        return true;
    }

    /// <summary>
    /// Checks that .NET accepts the pattern, without keeping a regex: a rejected rule is marked invalid and
    /// counted now rather than silently never matching. Returns whether the pattern is valid.
    /// </summary>
    public bool Validate()
    {
        if (_invalid != 0)
        {
            return false;
        }

        if (_search is not null)
        {
            return true;
        }

        try
        {
            _ = new Regex(_definition.Pattern, _options, _timeout);
            return true;
        }
        catch (ArgumentException)
        {
            MarkInvalid();
            return false;
        }
    }

    private void MarkInvalid()
    {
        if (Interlocked.Exchange(ref _invalid, 1) == 0)
        {
            _counters.InvalidRules.Increment();
        }
    }

    private Regex? CreateSearch()
    {
        if (_invalid != 0)
        {
            return null;
        }

        try
        {
            var regex = new Regex(_definition.Pattern, _options, _timeout);
            if (!_searchOnly)
            {
                _template ??= RuleTemplate.Build(_definition, MaxGroupNumber(regex));
            }

            return Interlocked.CompareExchange(ref _search, regex, null) ?? regex;
        }
        catch (ArgumentException)
        {
            MarkInvalid();
            return null;
        }
    }

    private Regex CreateExtract()
    {
        var regex = new Regex(ExtractPattern, _options, _timeout);
        return Interlocked.CompareExchange(ref _extract, regex, null) ?? regex;
    }

    /// <summary>
    /// For a rule searched by branches (whose whole search regex is never built): builds the extraction
    /// regex and the template now. Returns false, counting the rule invalid, when .NET rejects the pattern.
    /// </summary>
    public bool PrepareExtract()
    {
        if (_template is not null && _extract is not null)
        {
            return true;
        }

        if (_invalid != 0)
        {
            return false;
        }

        try
        {
            _ = EnsureTemplate();
            _ = _extract ?? CreateExtract();
            return true;
        }
        catch (ArgumentException)
        {
            MarkInvalid();
            return false;
        }
    }

    private RuleTemplate EnsureTemplate()
    {
        var extract = _extract ?? CreateExtract();
        var template = RuleTemplate.Build(_definition, MaxGroupNumber(extract));
        return Interlocked.CompareExchange(ref _template, template, null) ?? template;
    }

    /// <summary>
    /// The extraction form: anchored (<c>\G</c>) where the search found the leftmost match, so the captures
    /// are the same, and consuming the rest of the input, so that Replace returns the text before the
    /// match followed by just the template's output.
    /// </summary>
    private string ExtractPattern => @"\G(?:" + _definition.Pattern + @")[\s\S]*";

    /// <summary>Compiles the rule to IL and runs it once on <paramref name="sample"/> so that it is JIT-compiled before it is swapped in.</summary>
    private void Compile(string sample)
    {
        try
        {
            var search = new Regex(_definition.Pattern, _options | RegexOptions.Compiled, _timeout);
            var index = -1;
            foreach (var match in search.EnumerateMatches(sample))
            {
                index = match.Index;
                break;
            }

            Volatile.Write(ref _search, search);
            if (!_searchOnly && _template?.Template is not null)
            {
                var extract = new Regex(ExtractPattern, _options | RegexOptions.Compiled, _timeout);
                extract.Replace(sample, _template.Template, 1, Math.Max(index, 0));
                Volatile.Write(ref _extract, extract);
            }

            _counters.CompiledRules.Increment();
        }
        catch (Exception ex) when (ex is ArgumentException or RegexMatchTimeoutException)
        {
            // The interpreted regex stays in place.
        }
    }

    private static int MaxGroupNumber(Regex regex)
    {
        var max = 0;
        foreach (var number in regex.GetGroupNumbers())
        {
            max = Math.Max(max, number);
        }

        return max;
    }
}
