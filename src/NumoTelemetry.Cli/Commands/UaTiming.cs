using System.Diagnostics;
using System.Text.Json;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Cli.Commands;

/// <summary>
/// <c>numo ua --timing</c>: measures the engine on the input lines, the way benchmarks/ua-compare measures
/// the npm parsers, and prints one JSON object: ready and first-parse times in a fresh process, uncached
/// mean/p50/p99/max per parse (cache off, after as many warm-up passes as a rule needs to be compiled to IL, and
/// the background compiler finished: <c>compiledDuringTiming</c> should be 0), bytes allocated per uncached parse,
/// and the cached-hit cost. <c>uncachedCpuMeanUs</c> is process CPU time per parse, which a loaded
/// machine inflates far less than wall-clock time. With an attacks file (uap-core's tests/regexes.js), each
/// ReDoS attack string is also parsed with the default options (length cap on, cache off), best of five
/// after a first parse that builds its regexes, and the slowest is reported against the 10 ms target.
/// </summary>
internal static class UaTiming
{
    // Long because: a measurement script: load, first parse, warm-up and timed passes must run in this order.
    public static int Run(TextReader input, Stream output, string? regexesPath, string? attacksPath = null)
    {
        var lines = new List<string>();
        while (input.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                lines.Add(line);
            }
        }

        if (lines.Count == 0)
        {
            Console.Error.WriteLine("numo ua --timing: no input lines.");
            return 1;
        }

        var start = Stopwatch.GetTimestamp();
        var parser = new UserAgentParser(new UserAgentParserOptions { RegexesPath = regexesPath, CacheSize = 0 });
        var readyMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        start = Stopwatch.GetTimestamp();
        parser.Parse(lines[0]);
        var firstMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        // Warm up to the steady state of a long-running server: a rule is compiled to IL in the background
        // once it has run UserAgentParser.DefaultHotThreshold times, so after that many passes every rule the
        // input reaches has been queued; then wait for the compiler. (Stopping at the first pass that compiled
        // nothing stopped short: a rule used three times a pass crosses the threshold in the sixth pass, after
        // a fifth that compiles nothing, and the timed pass then ran beside a hundred compilations.)
        for (var pass = 0; pass < UserAgentParser.DefaultHotThreshold; pass++)
        {
            foreach (var ua in lines)
            {
                parser.Parse(ua);
            }
        }

        var compiledBefore = WaitForCompiler(parser);
        var times = new double[lines.Count];
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var total = Stopwatch.GetTimestamp();
        for (var i = 0; i < lines.Count; i++)
        {
            var t = Stopwatch.GetTimestamp();
            parser.Parse(lines[i]);
            times[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
        }

        var uncachedTotalUs = Stopwatch.GetElapsedTime(total).TotalMicroseconds;
        var uncachedCpuUs = (Environment.CpuUsage.TotalTime - cpuBefore).TotalMicroseconds;
        var compiledDuringTiming = parser.GetStatistics().CompiledRules - compiledBefore;
        var allocatedPerParse = (double)(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / lines.Count;
        Array.Sort(times);

        var (cachedNs, cachedAlloc, cachedMisses) = TimeCachedHits(lines, regexesPath);
        var stats = parser.GetStatistics();

        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("engine", "NumoTelemetry.UserAgents");
        writer.WriteNumber("count", lines.Count);
        writer.WriteNumber("readyMs", Math.Round(readyMs, 2));
        writer.WriteNumber("firstParseMs", Math.Round(firstMs, 3));
        writer.WriteNumber("uncachedMeanUs", Math.Round(uncachedTotalUs / lines.Count, 2));
        writer.WriteNumber("uncachedCpuMeanUs", Math.Round(uncachedCpuUs / lines.Count, 2));
        writer.WriteNumber("uncachedP50Us", Math.Round(Percentile(times, 0.50), 2));
        writer.WriteNumber("uncachedP99Us", Math.Round(Percentile(times, 0.99), 2));
        writer.WriteNumber("uncachedMaxUs", Math.Round(times[^1], 2));
        writer.WriteNumber("uncachedBytesPerParse", Math.Round(allocatedPerParse, 1));
        writer.WriteNumber("cachedHitNs", Math.Round(cachedNs, 1));
        writer.WriteNumber("cachedHitBytes", Math.Round(cachedAlloc, 2));
        writer.WriteNumber("cachedHitMisses", cachedMisses);
        writer.WriteNumber("regexRunsPerParse", Math.Round(stats.RegexRuns / (double)stats.Parses, 2));
        writer.WriteNumber("compiledRules", stats.CompiledRules);
        writer.WriteNumber("compiledDuringTiming", compiledDuringTiming);
        writer.WriteNumber("regexTimeouts", stats.RegexTimeouts);
        if (attacksPath is not null)
        {
            WriteAttacks(writer, attacksPath, regexesPath);
        }

        writer.WriteEndObject();
        writer.Flush();
        output.WriteByte((byte)'\n');
        return 0;
    }

    /// <summary>
    /// The cost of a cache hit: a parser whose cache holds every line (eight times as many slots as lines, so
    /// that no eight-way set overflows and every lookup below is a hit; the misses are reported), primed with
    /// every line, its background compiler finished, then each line looked up with a fresh string instance,
    /// as a new request header would be. Untimed rounds come first, as BenchmarkDotNet's warm-up iterations
    /// do; then the median of the timed rounds, which one descheduling on a shared machine cannot move. Per
    /// line: ns, bytes allocated (0 expected), misses during the timed rounds (0 expected). Timing straight
    /// after priming, while the background compiler still compiles hot rules, or with sets that overflow,
    /// would measure the compiler and full parses, not the cost of a hit.
    /// </summary>
    private static (double Ns, double Bytes, long Misses) TimeCachedHits(List<string> lines, string? regexesPath)
    {
        var cached = new UserAgentParser(new UserAgentParserOptions { RegexesPath = regexesPath, CacheSize = Math.Max(lines.Count * 8, 16) });
        foreach (var ua in lines)
        {
            cached.Parse(ua);
        }

        WaitForCompiler(cached);
        var copies = new string[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            copies[i] = new string(lines[i].AsSpan()); // a fresh instance, as a new request header would be
        }

        var warmUp = Stopwatch.GetTimestamp();
        for (var round = 0; round < 3 || Stopwatch.GetElapsedTime(warmUp).TotalMilliseconds < 500; round++)
        {
            foreach (var ua in copies)
            {
                cached.Parse(ua);
            }
        }

        const int rounds = 9;
        var roundNs = new double[rounds];
        var missesBefore = cached.GetStatistics().CacheMisses;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < rounds; round++)
        {
            var start = Stopwatch.GetTimestamp();
            foreach (var ua in copies)
            {
                cached.Parse(ua);
            }

            roundNs[round] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / lines.Count;
        }

        var allocated = (double)(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (rounds * (double)lines.Count);
        Array.Sort(roundNs);
        return (roundNs[rounds / 2], allocated, cached.GetStatistics().CacheMisses - missesBefore);
    }

    private static void WriteAttacks(Utf8JsonWriter writer, string attacksPath, string? regexesPath)
    {
        var attacks = AttackStrings.Read(attacksPath);
        var parser = new UserAgentParser(new UserAgentParserOptions { RegexesPath = regexesPath, CacheSize = 0 });
        var best = new double[attacks.Count];
        var worst = 0;
        for (var i = 0; i < attacks.Count; i++)
        {
            parser.Parse(attacks[i]); // builds the regexes this string reaches
            best[i] = double.MaxValue;
            for (var attempt = 0; attempt < 5; attempt++)
            {
                var start = Stopwatch.GetTimestamp();
                parser.Parse(attacks[i]);
                best[i] = Math.Min(best[i], Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            if (best[i] > best[worst])
            {
                worst = i;
            }
        }

        var over = 0;
        foreach (var ms in best)
        {
            over += ms >= 10 ? 1 : 0;
        }

        var sorted = (double[])best.Clone();
        Array.Sort(sorted);
        writer.WriteNumber("attackCount", attacks.Count);
        writer.WriteNumber("attackP50Ms", Math.Round(Percentile(sorted, 0.5), 3));
        writer.WriteNumber("attackMaxMs", Math.Round(sorted[^1], 3));
        writer.WriteNumber("attacksOver10Ms", over);
        writer.WriteString("attackWorst", attacks[worst][..Math.Min(60, attacks[worst].Length)]);
        writer.WriteNumber("attackRegexTimeouts", parser.GetStatistics().RegexTimeouts);
    }

    private static long WaitForCompiler(UserAgentParser parser)
    {
        long compiled;
        do
        {
            compiled = parser.GetStatistics().CompiledRules;
            Thread.Sleep(300);
        }
        while (parser.GetStatistics().CompiledRules != compiled);
        return compiled;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
