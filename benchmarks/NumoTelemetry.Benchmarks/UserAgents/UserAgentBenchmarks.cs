using BenchmarkDotNet.Attributes;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Benchmarks.UserAgents;

/// <summary>
/// The ua-parser engine over the full uap-core corpus (about 30,700 distinct User-Agents): an uncached
/// (cold) parse of each, and a cached hit of each with a fresh string instance as a request would bring.
/// Figures are per User-Agent. Run: <c>dotnet run -c Release --project benchmarks/NumoTelemetry.Benchmarks -- --filter *UserAgent*</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class UserAgentBenchmarks
{
    /// <summary>Distinct User-Agents in uap-core v0.18.0's test files (OperationsPerInvoke needs a constant).</summary>
    private const int CorpusSize = 30675;

    private string[] _corpus = [];
    private string[] _copies = [];
    private UserAgentParser _uncached = null!;
    private UserAgentParser _cached = null!;

    [GlobalSetup]
    public void Setup()
    {
        _corpus = UapCorpus.Load();
        if (_corpus.Length != CorpusSize)
        {
            throw new InvalidOperationException($"The corpus has {_corpus.Length} User-Agents, not {CorpusSize}: update CorpusSize so that per-operation figures stay right.");
        }

        _copies = Array.ConvertAll(_corpus, ua => new string(ua.AsSpan()));
        _uncached = new UserAgentParser(new UserAgentParserOptions { CacheSize = 0 });
        // Eight times as many slots as User-Agents: with four, a few eight-way sets overflowed and about 15
        // lookups a pass were misses (full parses), as in numo ua --timing, which uses eight too.
        _cached = new UserAgentParser(new UserAgentParserOptions { CacheSize = _corpus.Length * 8 });
        foreach (var ua in _corpus)
        {
            _uncached.Parse(ua);
            _cached.Parse(ua);
        }

        var missesBefore = _cached.GetStatistics().CacheMisses;
        CachedParse();
        var misses = _cached.GetStatistics().CacheMisses - missesBefore;
        Thread.Sleep(1000); // let hot rules finish compiling in the background
        Console.WriteLine($"// cached pass after priming: {misses} misses of {_corpus.Length}");
        Console.WriteLine($"// corpus: {_corpus.Length} User-Agents; {_uncached.GetStatistics().CompiledRules} rules compiled");
    }

    [Benchmark(OperationsPerInvoke = CorpusSize)]
    public int UncachedParse()
    {
        var n = 0;
        foreach (var ua in _corpus)
        {
            n += _uncached.Parse(ua).Browser.Family.Length;
        }

        return n;
    }

    [Benchmark(OperationsPerInvoke = CorpusSize)]
    public int CachedParse()
    {
        var n = 0;
        foreach (var ua in _copies)
        {
            n += _cached.Parse(ua).Browser.Family.Length;
        }

        return n;
    }
}
