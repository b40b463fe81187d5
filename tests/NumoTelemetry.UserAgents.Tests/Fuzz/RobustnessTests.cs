using System.Text;
using NumoTelemetry.Cli.Commands;

namespace NumoTelemetry.UserAgents.Tests.Fuzz;

/// <summary>
/// Arbitrary input never throws and always yields a result. How long a parse takes is a performance claim,
/// measured (not asserted) by <c>numo ua --timing --attacks tests/regexes.js</c>, which reports the slowest
/// ReDoS attack string; what a test can assert without being flaky is that the match-timeout backstop
/// works (<see cref="Parse_TinyMatchTimeout_CountsTimeoutsAndDoesNotCache"/>).
/// </summary>
public sealed class RobustnessTests
{
    [SkippableFact]
    public void Parse_UapCoreReDoSAttackStrings_NeverThrows()
    {
        var attacks = AttackStrings.Read(SharedTestData.Require("head/tests/regexes.js"));
        Assert.True(attacks.Count > 200, $"only {attacks.Count} attack strings read");
        var parser = new UserAgentParser(new UserAgentParserOptions { CacheSize = 0 });
        foreach (var attack in attacks)
        {
            AssertParses(parser, attack);
        }
    }

    [Fact]
    public void Parse_RandomStrings_NeverThrows()
    {
        var parser = new UserAgentParser(new UserAgentParserOptions { CacheSize = 0 });
        var random = new Random(20261125);
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ;:/()[]{}.,_-+*?$^|\\'\"\t\n\u00e9\u212a\u0130\uffff\ud83d\ude00";
        for (var n = 0; n < 3000; n++)
        {
            var length = random.Next(0, n % 100 == 0 ? 5000 : 300);
            var sb = new StringBuilder(length);
            for (var i = 0; i < length; i++)
            {
                sb.Append(random.Next(8) == 0 ? (char)random.Next(0, 0x10000) : alphabet[random.Next(alphabet.Length)]);
            }

            AssertParses(parser, sb.ToString());
        }
    }

    [Fact]
    public void Parse_MutatedRealUserAgents_NeverThrows()
    {
        var parser = new UserAgentParser(new UserAgentParserOptions { CacheSize = 0 });
        var random = new Random(42);
        string[] seeds =
        [
            "Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.81 Mobile Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "HbbTV/1.2.1 (;Panasonic;VIERA 2013;3.672;4101-0003 0002-0000;)",
            "Opera/9.80 (J2ME/MIDP; Opera Mini/9.80 (S60; SymbOS; Opera Mobi/23.348; U; en) Presto/2.5.25 Version/10.54",
        ];
        for (var n = 0; n < 3000; n++)
        {
            var chars = seeds[n % seeds.Length].ToCharArray().ToList();
            var edits = random.Next(1, 12);
            for (var e = 0; e < edits; e++)
            {
                var at = random.Next(chars.Count + 1);
                switch (random.Next(4))
                {
                    case 0 when chars.Count > 0 && at < chars.Count:
                        chars.RemoveAt(at);
                        break;
                    case 1:
                        chars.Insert(at, (char)random.Next(32, 127));
                        break;
                    case 2 when at < chars.Count:
                        chars[at] = (char)random.Next(0, 0x3000);
                        break;
                    default:
                        var piece = seeds[random.Next(seeds.Length)];
                        var from = random.Next(piece.Length);
                        chars.InsertRange(at, piece.Substring(from, Math.Min(piece.Length - from, random.Next(1, 60))));
                        break;
                }
            }

            AssertParses(parser, new string([.. chars]));
        }
    }

    [Fact]
    public void Parse_TinyMatchTimeout_CountsTimeoutsAndDoesNotCache()
    {
        var parser = new UserAgentParser(new UserAgentParserOptions { MatchTimeout = TimeSpan.FromTicks(1), MaxLength = 0 });
        var ua = "Mozilla/5.0 (Linux; Android 4.4; " + new string(' ', 20000) + "x Build/KOT49H) AppleWebKit/537.36 Chrome/30.0 Mobile Safari/537.36";

        var info = parser.Parse(ua);
        parser.Parse(ua);

        Assert.NotNull(info);
        var stats = parser.GetStatistics();
        Assert.True(stats.RegexTimeouts > 0, "no timeout counted");
        Assert.Equal(0, stats.CacheHits);
        Assert.Equal(0, stats.CacheCount);
    }

    [Fact]
    public void Parse_LongerThanMaxLength_IsFlaggedOversizedAndCounted()
    {
        var parser = new UserAgentParser(new UserAgentParserOptions { MaxLength = 100 });
        var ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36" + new string('A', 500);

        var info = parser.Parse(ua);

        Assert.True(info.IsOversized);
        Assert.Equal(1, parser.GetStatistics().Oversized);
        Assert.False(parser.Parse("curl/8.0").IsOversized);
    }

    private static void AssertParses(UserAgentParser parser, string ua)
    {
        var info = parser.Parse(ua);
        Assert.NotNull(info);
        Assert.NotNull(info.Browser.Family);
    }
}
