using NumoTelemetry.UserAgents.Caching;
using NumoTelemetry.UserAgents.Data;
using NumoTelemetry.UserAgents.Engine;
using NumoTelemetry.UserAgents.Prefilter;

namespace NumoTelemetry.UserAgents;

/// <summary>
/// The uap-core ua-parser engine with bot classification and a bounded cache. Thread-safe; build one
/// per application (it loads and indexes the rules in its constructor) and share it.
/// </summary>
/// <remarks>
/// A cache hit costs a hash and a string comparison and allocates nothing. A miss scans the
/// User-Agent once for the literal atoms of every rule, then runs only the candidate rules' regexes,
/// first match wins per section, as uap-core's specification and reference implementation require.
/// </remarks>
public sealed class UserAgentParser : IUserAgentParser
{
    /// <summary>Rule uses after which a rule's regex is compiled to IL in the background.</summary>
    internal const int DefaultHotThreshold = 16;

    private readonly UapEngine _engine;
    private readonly ParseCache? _cache;
    private readonly EngineCounters _counters = new();
    private readonly ulong _seed = (ulong)Random.Shared.NextInt64();
    private readonly int _maxLength;
    private FamilyVocabulary? _vocabulary;

    /// <summary>Creates the parser: loads the rules (embedded, or <see cref="UserAgentParserOptions.RegexesPath"/>) and indexes them.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="InvalidDataException">The regexes file is not a valid uap-core <c>regexes.yaml</c>.</exception>
    /// <exception cref="IOException">The regexes file cannot be read.</exception>
    public UserAgentParser(UserAgentParserOptions? options = null)
        : this(options, DefaultHotThreshold, usePrefilter: true)
    {
    }

    /// <summary>Creates the parser with engine settings for tests and benchmarks.</summary>
    internal UserAgentParser(UserAgentParserOptions? options, int hotThreshold, bool usePrefilter)
    {
        options ??= new UserAgentParserOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.CacheSize, nameof(options.CacheSize));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxLength, nameof(options.MaxLength));
        if (options.MatchTimeout <= TimeSpan.Zero && options.MatchTimeout != System.Text.RegularExpressions.Regex.InfiniteMatchTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MatchTimeout, "MatchTimeout must be positive.");
        }

        // The first regex of a process costs tens of milliseconds (the regex engine's own start-up): pay
        // it on the thread pool while this thread loads the rules, not on the first request.
        ThreadPool.UnsafeQueueUserWorkItem(static timeout => CompiledRule.WarmUpRegexEngine(timeout), options.MatchTimeout, preferLocal: false);
        var (rules, clauses, branches) = LoadRules(options.RegexesPath);
        RulesSource = options.RegexesPath ?? $"uap-core {EmbeddedData.UapCoreVersion} (embedded)";
        _engine = new UapEngine(rules, clauses, branches, options.MatchTimeout, hotThreshold, _counters, usePrefilter);
        _cache = options.CacheSize > 0 ? new ParseCache(options.CacheSize) : null;
        _maxLength = options.MaxLength;

        // Warm up here rather than on the first requests: JIT the parse path and build the regexes that
        // everyday User-Agents reach, so no request pays for them. Done on this thread, not beside the first
        // parse: a background warm-up would compete with the first parse for the same JIT and regex work.
        _engine.WarmUp(TypicalUserAgents.All);

        // Rules from a file may use syntax .NET rejects; such a rule would never match. Check them all in
        // the background (the embedded rules are checked by the test suite) and count the failures.
        RuleValidation = options.RegexesPath is null
            ? Task.FromResult<IReadOnlyList<string>>([])
            : Task.Factory.StartNew(static engine => ValidateRules((UapEngine)engine!), _engine, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
    }

    /// <summary>
    /// Completes once every rule of <see cref="UserAgentParserOptions.RegexesPath"/> has been checked
    /// against .NET's regex syntax (in the background, after start-up; at once for the embedded rules,
    /// which the package's tests check). Its result lists the patterns .NET rejected: such rules never
    /// match, and they are counted in <see cref="UserAgentParserStatistics.InvalidRules"/>.
    /// </summary>
    public Task<IReadOnlyList<string>> RuleValidation { get; }

    private static IReadOnlyList<string> ValidateRules(UapEngine engine)
    {
        var invalid = new List<string>();
        foreach (var rule in engine.Rules)
        {
            if (rule.Definition.Section != RuleSection.Bot && !rule.Validate())
            {
                invalid.Add(rule.Definition.Pattern);
            }
        }

        return invalid;
    }

    /// <summary>Where the uap-core rules came from: the embedded version or the configured path.</summary>
    public string RulesSource { get; }

    /// <summary>
    /// The literals and words of the loaded rules (built on first use and then shared), for telling a family the
    /// rules name from text a rule copied out of the User-Agent. NumoTelemetry uses it to keep such text out of
    /// metrics and the request log; use it the same way before a parsed family leaves your process.
    /// </summary>
    /// <value>The vocabulary of the rules this parser loaded.</value>
    public FamilyVocabulary Vocabulary
    {
        get
        {
            if (Volatile.Read(ref _vocabulary) is { } vocabulary)
            {
                return vocabulary;
            }

            var definitions = new RuleDefinition[_engine.Rules.Count];
            for (var i = 0; i < definitions.Length; i++)
            {
                definitions[i] = _engine.Rules[i].Definition;
            }

            return Interlocked.CompareExchange(ref _vocabulary, new FamilyVocabulary(definitions), null) ?? _vocabulary!;
        }
    }

    /// <summary>The engine (for tests and benchmarks).</summary>
    internal UapEngine Engine => _engine;

    /// <inheritdoc />
    public UserAgentInfo Parse(string? userAgent) => Parse(userAgent, out _);

    /// <summary>
    /// <see cref="Parse(string?)"/>, also telling whether the result is the one every later parse of the same
    /// text gives (it is, unless the cache is off or a rule timed out), so a caller may keep it beside its own
    /// copy of the text (a memo keyed by the header string, say) and report later uses through
    /// <see cref="CountCachedParse"/>. NumoTelemetry's capture does so for User-Agent strings it sees again.
    /// </summary>
    /// <param name="userAgent">The User-Agent header value; null or empty gives <see cref="UserAgentInfo.Empty"/>.</param>
    /// <param name="stable">True when every later parse of the same text gives this same result.</param>
    /// <returns>The parse result, shared with the parser's cache when there is one.</returns>
    public UserAgentInfo Parse(string? userAgent, out bool stable)
    {
        stable = false;
        if (string.IsNullOrEmpty(userAgent))
        {
            return UserAgentInfo.Empty;
        }

        _counters.Parses.Increment();
        var cache = _cache;
        if (cache is null)
        {
            return ParseUncached(userAgent, out _);
        }

        // An oversized User-Agent is parsed by its first MaxLength characters only, so that prefix (with
        // the oversized flag) is its key: hashing and comparing stay bounded whatever its length.
        var oversized = IsOversized(userAgent);
        var key = oversized ? userAgent.AsSpan(0, _maxLength) : userAgent;
        var hash = SpanHash.Hash(key, _seed);
        if (cache.TryGet(key, hash, oversized, out var cached))
        {
            _counters.CacheHits.Increment();
            stable = true;
            return cached!;
        }

        var info = ParseUncached(userAgent, out var timedOut);
        if (!timedOut)
        {
            // A timed-out parse may be incomplete (a slow match read as no match): parse it again next time.
            cache.Add(oversized ? key.ToString() : userAgent, hash, info);
            stable = true;
        }

        return info;
    }

    /// <summary>
    /// Counts a parse answered from a caller's own memo of a stable result (<see cref="Parse(string?, out bool)"/>),
    /// exactly as a cache hit here would count, so the parser's statistics (<see cref="GetStatistics"/>) stay what
    /// they would be without the memo.
    /// </summary>
    public void CountCachedParse()
    {
        _counters.Parses.Increment();
        _counters.CacheHits.Increment();
    }

    /// <summary>Returns a snapshot of the parser's counters.</summary>
    public UserAgentParserStatistics GetStatistics()
    {
        var parses = _counters.Parses.Value;
        var hits = _counters.CacheHits.Value;
        return new UserAgentParserStatistics
        {
            Parses = parses,
            CacheHits = hits,
            CacheMisses = parses - hits,
            CacheCapacity = _cache?.Capacity ?? 0,
            CacheCount = _cache?.Count ?? 0,
            Oversized = _counters.Oversized.Value,
            RegexRuns = _counters.RegexRuns.Value,
            RegexTimeouts = _counters.RegexTimeouts.Value,
            CompiledRules = _counters.CompiledRules.Value,
            InvalidRules = _counters.InvalidRules.Value,
            RuleCount = _engine.Rules.Count,
            AlwaysRunRules = _engine.Prefilter.AlwaysRunCount,
            AtomCount = _engine.Prefilter.AtomCount,
        };
    }

    /// <summary>Parses without the cache (benchmarks measure this as the cold path).</summary>
    internal UserAgentInfo ParseUncached(string userAgent) => ParseUncached(userAgent, out _);

    private UserAgentInfo ParseUncached(string userAgent, out bool timedOut)
    {
        var oversized = IsOversized(userAgent);
        var text = userAgent;
        if (oversized)
        {
            _counters.Oversized.Increment();
            text = userAgent[.._maxLength];
        }

        return _engine.Parse(text, oversized, out timedOut);
    }

    private bool IsOversized(string userAgent) => _maxLength > 0 && userAgent.Length > _maxLength;

    /// <summary>
    /// The rules and their prefilter conditions. The embedded set was read and analysed at build time
    /// (<see cref="RuleSetFile"/>); a <paramref name="path"/> replaces its uap-core sections with the
    /// file's rules, analysed now, and keeps the bot rules.
    /// </summary>
    internal static (List<RuleDefinition> Rules, List<List<string[]>> Clauses, List<RuleBranch[]?> Branches) LoadRules(string? path)
    {
        List<RuleDefinition> embeddedRules;
        List<List<string[]>> embeddedClauses;
        List<RuleBranch[]?> embeddedBranches;
        using (var stream = EmbeddedData.Open(EmbeddedData.RuleSetResource))
        {
            (embeddedRules, embeddedClauses, embeddedBranches) = RuleSetFile.Read(stream);
        }

        if (path is null)
        {
            return (embeddedRules, embeddedClauses, embeddedBranches);
        }

        List<RuleDefinition> rules;
        using (var file = new StreamReader(path))
        {
            rules = RegexesYamlReader.Read(file);
        }

        var uapCount = rules.Count;
        var clauses = new List<string[]>[uapCount];
        var branches = new RuleBranch[]?[uapCount];
        Parallel.For(0, uapCount, i =>
        {
            clauses[i] = AtomExtractor.Extract(rules[i].Pattern, rules[i].IgnoreCase);
            branches[i] = RuleBranch.Derive(rules[i]);
        });
        var allClauses = new List<List<string[]>>(clauses);
        var allBranches = new List<RuleBranch[]?>(branches);
        for (var i = 0; i < embeddedRules.Count; i++)
        {
            if (embeddedRules[i].Section == RuleSection.Bot)
            {
                rules.Add(embeddedRules[i]);
                allClauses.Add(embeddedClauses[i]);
                allBranches.Add(embeddedBranches[i]);
            }
        }

        return (rules, allClauses, allBranches);
    }
}
