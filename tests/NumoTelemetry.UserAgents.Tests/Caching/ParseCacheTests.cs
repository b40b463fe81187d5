using NumoTelemetry.UserAgents.Caching;

namespace NumoTelemetry.UserAgents.Tests.Caching;

public sealed class ParseCacheTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(1000)]
    public void Add_ManyMoreKeysThanCapacity_NeverExceedsCapacity(int capacity)
    {
        var cache = new ParseCache(capacity);
        for (var i = 0; i < capacity * 20; i++)
        {
            var key = "ua-" + i;
            cache.Add(key, (ulong)key.GetHashCode(StringComparison.Ordinal) * 0x9E3779B97F4A7C15UL, UserAgentInfo.Empty);
        }

        Assert.True(cache.Capacity <= capacity);
        Assert.True(cache.Count <= capacity);
    }

    [Fact]
    public void Add_FullSetSameHash_ReplacesRandomWaysNotOneFixedWay()
    {
        // One set of eight ways; every key lands in it. A way chosen by the hash would evict the same
        // way every time and keep the seven others forever; random replacement evicts them all, sooner
        // or later (each original survives 400 random evictions with probability (7/8)^400).
        var cache = new ParseCache(8);
        const ulong hash = 0x0123_4567_89AB_CDEFUL;
        for (var i = 0; i < 8; i++)
        {
            cache.Add("first-" + i, hash, UserAgentInfo.Empty);
        }

        for (var i = 0; i < 400; i++)
        {
            cache.Add("later-" + i, hash, UserAgentInfo.Empty);
        }

        for (var i = 0; i < 8; i++)
        {
            Assert.False(cache.TryGet("first-" + i, hash, oversized: false, out _), $"first-{i} was never evicted");
        }

        Assert.Equal(8, cache.Count);
    }

    [Fact]
    public void Parse_SameUserAgentTwice_ReturnsSameInstance()
    {
        var parser = new UserAgentParser();
        const string ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

        var first = parser.Parse(ua);
        var second = parser.Parse(new string(ua.AsSpan()));

        Assert.Same(first, second);
        var stats = parser.GetStatistics();
        Assert.Equal(2, stats.Parses);
        Assert.Equal(1, stats.CacheHits);
        Assert.Equal(1, stats.CacheMisses);
    }

    [Fact]
    public void Parse_CacheHit_AllocatesNothing()
    {
        var parser = new UserAgentParser();
        const string ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        var copy = new string(ua.AsSpan());
        parser.Parse(ua);
        for (var i = 0; i < 100; i++)
        {
            parser.Parse(copy); // warm up (tiered JIT)
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            parser.Parse(copy);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Parse_SmallCacheManyUserAgents_StaysBoundedAndCorrect()
    {
        var parser = new UserAgentParser(new UserAgentParserOptions { CacheSize = 16 });
        for (var i = 0; i < 500; i++)
        {
            var info = parser.Parse($"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{i}.0.0.0 Safari/537.36");
            Assert.Equal("Chrome", info.Browser.Family);
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), info.Browser.Major);
        }

        var stats = parser.GetStatistics();
        Assert.True(stats.CacheCount <= 16);
        Assert.Equal(16, stats.CacheCapacity);
    }

    [Fact]
    public void Parse_ManyThreadsSharedParser_GivesSameResultsAsOneThread()
    {
        var uas = new string[400];
        for (var i = 0; i < uas.Length; i++)
        {
            uas[i] = i % 3 == 0
                ? $"Mozilla/5.0 (Linux; Android {i % 14}; Pixel {i % 9}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{i}.0.0.0 Mobile Safari/537.36"
                : i % 3 == 1 ? $"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{i}.0) Gecko/20100101 Firefox/{i}.0" : $"curl/{i}.0";
        }

        // No match timeout: it is wall-clock time, and eight threads on a loaded two-core machine can be
        // descheduled past it, which would read as "no match" and differ for a reason other than races.
        var infinite = System.Text.RegularExpressions.Regex.InfiniteMatchTimeout;
        var reference = new UserAgentParser(new UserAgentParserOptions { CacheSize = 0, MatchTimeout = infinite });
        var expected = Array.ConvertAll(uas, ua => Describe(reference.Parse(ua)));
        var shared = new UserAgentParser(new UserAgentParserOptions { CacheSize = 64, MatchTimeout = infinite });
        var failures = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            var random = new Random(worker);
            for (var n = 0; n < 3000; n++)
            {
                var i = random.Next(uas.Length);
                if (Describe(shared.Parse(uas[i])) != expected[i])
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });

        Assert.Equal(0, failures);
        Assert.Equal(0, shared.GetStatistics().RegexTimeouts);
        Assert.True(shared.GetStatistics().CacheCount <= 64);
    }

    private static string Describe(UserAgentInfo info) => $"{info.Browser} {info.Os} {info.Device} {info.Bot} {info.DeviceType}";
}
