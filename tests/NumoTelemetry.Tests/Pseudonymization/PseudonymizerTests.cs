using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Pseudonymization;

public class PseudonymizerTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Pseudonymize_SameValueSameKind_IsDeterministic()
    {
        using var p = TestKeys.Pseudonymizer();
        var a = p.Pseudonymize(PseudonymKind.Session, "abc", s_now);
        var b = p.Pseudonymize(PseudonymKind.Session, "abc", s_now.AddMinutes(5));
        Assert.Equal(a, b);
        Assert.Equal(a.ToString(), b.ToString());
        Assert.False(a.IsEmpty);
    }

    [Fact]
    public void Pseudonymize_SameTextDifferentKinds_NeverCollide()
    {
        using var p = TestKeys.Pseudonymizer();
        var seen = new HashSet<string>();
        foreach (var kind in new[] { PseudonymKind.Session, PseudonymKind.Visitor, PseudonymKind.User, PseudonymKind.Email, PseudonymKind.UserAgent, PseudonymKind.Path })
        {
            Assert.True(seen.Add(p.Pseudonymize(kind, "10.0.0.1", s_now).ToString()), kind.ToString());
        }

        Assert.True(seen.Add(p.Pseudonymize(PseudonymKind.Ip, "10.0.0.1", s_now).ToString()));
        Assert.True(seen.Add(p.Pseudonymize(PseudonymKind.IpPrefix, "10.0.0.1", s_now).ToString()));
    }

    [Fact]
    public void Pseudonymize_DifferentKeys_DifferentPseudonyms()
    {
        using var a = TestKeys.Pseudonymizer();
        using var b = TestKeys.Pseudonymizer();
        Assert.NotEqual(a.Pseudonymize(PseudonymKind.User, "alice", s_now).ToString(), b.Pseudonymize(PseudonymKind.User, "alice", s_now).ToString());
    }

    [Fact]
    public void Pseudonymize_TextForm_HasKeyIdPrefixAndBase64Url()
    {
        var options = TestKeys.Options(keys: 3, o => o.CurrentKeyId = 2);
        using var p = TestKeys.Pseudonymizer(options);
        var text = p.Pseudonymize(PseudonymKind.User, "alice", s_now).ToString();
        Assert.Matches("^k2\\.[A-Za-z0-9_-]{22}$", text);
        Assert.True(Pseudonym.TryParse(text, PseudonymKind.User, PseudonymScope.Fraud, out var parsed));
        Assert.Equal(text, parsed.ToString());
        Assert.Equal((ushort)2, parsed.KeyId);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TextForm_RandomHashes_IsKeyIdAndTheFrameworksBase64Url(int seed)
    {
        // The text is encoded by hand (six bits at a time from two words): it must be the framework's base64url to the bit.
        var random = new Random(seed);
        Span<byte> hash = stackalloc byte[Pseudonym.HashSize];
        Span<byte> utf8 = stackalloc byte[Pseudonym.MaxTextLength];
        for (var i = 0; i < 2_000; i++)
        {
            random.NextBytes(hash);
            if (i < 16)
            {
                hash.Fill(i % 2 == 0 ? (byte)0 : (byte)0xFF); // every bit clear, then every bit set, at the edges of each word
                hash[i] ^= 0x81;
            }

            var keyId = (ushort)(i % 3 == 0 ? random.Next(1, 10) : random.Next(1, ushort.MaxValue + 1));
            var pseudonym = Pseudonym.FromHash(PseudonymKind.Visitor, PseudonymScope.Fraud, keyId, hash);
            var expected = $"k{keyId}.{System.Buffers.Text.Base64Url.EncodeToString(hash)}";
            Assert.Equal(expected, pseudonym.ToString());
            Assert.True(pseudonym.TryFormatUtf8(utf8, out var written));
            Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(utf8[..written]));
            Assert.False(pseudonym.TryFormatUtf8(utf8[..(written - 1)], out _));
        }
    }

    [Fact]
    public void Pseudonymize_AnalyticsScope_RotatesDailyAndDiffersFromFraud()
    {
        using var p = TestKeys.Pseudonymizer();
        var fraud = p.Pseudonymize(PseudonymKind.Visitor, "v1", s_now);
        var today = p.Pseudonymize(PseudonymKind.Visitor, "v1", s_now, PseudonymScope.Analytics);
        var laterToday = p.Pseudonymize(PseudonymKind.Visitor, "v1", s_now.AddHours(11), PseudonymScope.Analytics);
        var tomorrow = p.Pseudonymize(PseudonymKind.Visitor, "v1", s_now.AddDays(1), PseudonymScope.Analytics);
        Assert.Equal(today, laterToday);
        Assert.NotEqual(today.ToString(), tomorrow.ToString());
        Assert.NotEqual(fraud.ToString(), today.ToString());
    }

    [Fact]
    public void Pseudonymize_FraudScope_StableWithinWindowAndChangesAcrossWindows()
    {
        using var p = TestKeys.Pseudonymizer(TestKeys.Options(configure: o => o.FraudWindow = TimeSpan.FromDays(30)));
        var epoch = p.EpochOf(PseudonymScope.Fraud, s_now);
        var start = DateTimeOffset.FromUnixTimeSeconds(epoch * 30 * 86_400);
        var a = p.Pseudonymize(PseudonymKind.Ip, "203.0.113.7", start);
        var b = p.Pseudonymize(PseudonymKind.Ip, "203.0.113.7", start.AddDays(29.9));
        var c = p.Pseudonymize(PseudonymKind.Ip, "203.0.113.7", start.AddDays(30));
        Assert.Equal(a, b);
        Assert.NotEqual(a.ToString(), c.ToString());
    }

    [Fact]
    public void Pseudonymize_Construction_IsCmacOfKindAndValueUnderTheEpochKey()
    {
        // Pins the documented construction (docs/privacy.md): a change of function or label must be deliberate.
        using var p = TestKeys.Pseudonymizer();
        var epochKey = EpochKey(p, "fraud", p.EpochOf(PseudonymScope.Fraud, s_now));
        var tag = new byte[16];
        AesCmac.HashData(epochKey, [(byte)PseudonymKind.Session, .. "CfDJ8-session"u8], tag);

        var expected = Pseudonym.FromHash(PseudonymKind.Session, PseudonymScope.Fraud, 1, tag);

        Assert.Equal(expected, p.Pseudonymize(PseudonymKind.Session, "CfDJ8-session", s_now));
    }

    [Theory]
    [InlineData("", "example.org")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", "")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "shop.example.org")]
    public void CookielessVisitor_Construction_IsCmacOfUserAgentBlocksThenAddressAndSite(string userAgent, string site)
    {
        // Pins the documented layout (docs/privacy.md): the User-Agent part fills whole blocks, so its CMAC state can be kept.
        using var p = TestKeys.Pseudonymizer();
        var dayKey = EpochKey(p, "analytics", p.EpochOf(PseudonymScope.Analytics, s_now));
        var ua = System.Text.Encoding.UTF8.GetBytes(userAgent);
        var siteBytes = System.Text.Encoding.UTF8.GetBytes(site);
        var message = new List<byte> { (byte)PseudonymKind.Visitor };
        message.AddRange(BitConverter.GetBytes(ua.Length)); // little-endian on every platform .NET runs this on
        message.AddRange(ua);
        while (message.Count % 16 != 0)
        {
            message.Add(0);
        }

        message.AddRange([4, 198, 51, 100, 7]);
        message.AddRange(BitConverter.GetBytes(siteBytes.Length));
        message.AddRange(siteBytes);
        var tag = new byte[16];
        AesCmac.HashData(dayKey, message.ToArray(), tag);
        ClientAddress.TryParse("198.51.100.7", out var address);

        Assert.Equal(Pseudonym.FromHash(PseudonymKind.Visitor, PseudonymScope.Analytics, 1, tag), p.PseudonymizeCookielessVisitor(address, userAgent, site, s_now));
    }

    /// <summary>An epoch key as docs/privacy.md specifies it, derived here by hand: HMAC-SHA256(master key 1, "numo/v2/{scope}/{epoch}").</summary>
    private static byte[] EpochKey(Pseudonymizer p, string scope, long epoch) =>
        System.Security.Cryptography.HMACSHA256.HashData(p.KeyRing.GetKey(1).ToArray(), System.Text.Encoding.UTF8.GetBytes($"numo/v2/{scope}/{epoch}"));

    [Fact]
    public void Pseudonymize_AccountNames_AreNormalized()
    {
        using var p = TestKeys.Pseudonymizer();
        Assert.Equal(p.Pseudonymize(PseudonymKind.Email, " Alice@Example.COM ", s_now), p.Pseudonymize(PseudonymKind.Email, "alice@example.com", s_now));
        Assert.Equal(p.Pseudonymize(PseudonymKind.User, "Bob", s_now), p.Pseudonymize(PseudonymKind.User, "bob", s_now));
    }

    [Theory]
    [InlineData("+44 7700 900123", "447700900123")]
    [InlineData("0044 (7700) 900-123", "447700900123")]
    [InlineData("447700900123", "447700900123")]
    public void Pseudonymize_PhoneFormats_SamePseudonym(string input, string e164)
    {
        using var p = TestKeys.Pseudonymizer();
        Assert.Equal(p.Pseudonymize(PseudonymKind.Phone, e164, s_now), p.Pseudonymize(PseudonymKind.Phone, input, s_now));
    }

    [Theory]
    [InlineData("0491234567", "49", "49491234567")] // national number that begins with the code's digits
    [InlineData("0 4912 34567", "49", "49491234567")]
    [InlineData("01511234567", "49", "491511234567")]
    [InlineData("07700900123", "44", "447700900123")]
    [InlineData("447700900123", "44", "447700900123")] // full number sent without '+'
    [InlineData("+49 491234567", "44", "49491234567")]
    [InlineData("0049 491234567", "44", "49491234567")]
    public void NormalizePhone_DefaultCallingCode_E164Digits(string input, string code, string expected)
    {
        Span<char> buffer = stackalloc char[32];
        var n = IdentifierNormalizer.NormalizePhone(input, code, buffer);
        Assert.Equal(expected, buffer[..n].ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a number")]
    [InlineData("12")]
    [InlineData("+1234567890123456789")]
    public void Pseudonymize_InvalidPhone_IsEmpty(string input)
    {
        using var p = TestKeys.Pseudonymizer();
        Assert.True(p.Pseudonymize(PseudonymKind.Phone, input, s_now).IsEmpty);
    }

    [Fact]
    public void PseudonymizeAddress_SamePrefix_SamePrefixPseudonymDifferentIp()
    {
        using var p = TestKeys.Pseudonymizer();
        ClientAddress.TryParse("203.0.113.7", out var a);
        ClientAddress.TryParse("203.0.113.200", out var b);
        ClientAddress.TryParse("203.0.114.7", out var c);
        Assert.Equal(p.PseudonymizeAddress(a, PseudonymKind.IpPrefix, s_now), p.PseudonymizeAddress(b, PseudonymKind.IpPrefix, s_now));
        Assert.NotEqual(p.PseudonymizeAddress(a, PseudonymKind.IpPrefix, s_now), p.PseudonymizeAddress(c, PseudonymKind.IpPrefix, s_now));
        Assert.NotEqual(p.PseudonymizeAddress(a, PseudonymKind.Ip, s_now), p.PseudonymizeAddress(b, PseudonymKind.Ip, s_now));
    }

    [Fact]
    public void PseudonymizeAddress_IPv6_IsItsSlash64UnlessTheWholeAddressIsAsked()
    {
        // The addresses of one /64 cost a client nothing: one ip pseudonym for all of them (and still not its prefix's).
        using var p = TestKeys.Pseudonymizer();
        var ip = p.Pseudonymize(PseudonymKind.Ip, "2001:db8:1:2::1", s_now);
        Assert.Equal(ip, p.Pseudonymize(PseudonymKind.Ip, "2001:db8:1:2:ffff:1:2:3", s_now));
        Assert.NotEqual(ip, p.Pseudonymize(PseudonymKind.Ip, "2001:db8:1:3::1", s_now));
        Assert.NotEqual(ip.ToString(), p.Pseudonymize(PseudonymKind.IpPrefix, "2001:db8:1:2::1", s_now).ToString());

        using var whole = TestKeys.Pseudonymizer(TestKeys.Options(configure: o => o.IPv6AddressPrefixLength = 128));
        Assert.NotEqual(whole.Pseudonymize(PseudonymKind.Ip, "2001:db8:1:2::1", s_now), whole.Pseudonymize(PseudonymKind.Ip, "2001:db8:1:2::2", s_now));
        Assert.Equal(whole.Pseudonymize(PseudonymKind.Ip, "203.0.113.7", s_now), whole.Pseudonymize(PseudonymKind.Ip, "::ffff:203.0.113.7", s_now));
    }

    [Fact]
    public void PseudonymizeAddress_MappedIPv6_EqualsIPv4()
    {
        using var p = TestKeys.Pseudonymizer();
        Assert.Equal(p.Pseudonymize(PseudonymKind.Ip, "203.0.113.7", s_now), p.Pseudonymize(PseudonymKind.Ip, "::ffff:203.0.113.7", s_now));
    }

    [Fact]
    public void Pseudonymize_ConcurrentThreads_AgreeWithSingleThread()
    {
        using var p = TestKeys.Pseudonymizer();
        var expected = new string[200];
        for (var i = 0; i < expected.Length; i++)
        {
            expected[i] = p.Pseudonymize(PseudonymKind.Session, "session-" + i, s_now).ToString();
        }

        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i], p.Pseudonymize(PseudonymKind.Session, "session-" + i, s_now).ToString());
            }
        });
    }

    [Fact]
    public void CookielessVisitor_DependsOnIpUaSiteAndDay()
    {
        using var p = TestKeys.Pseudonymizer();
        ClientAddress.TryParse("203.0.113.7", out var ip);
        ClientAddress.TryParse("203.0.113.8", out var ip2);
        var v = p.PseudonymizeCookielessVisitor(ip, "UA", "site", s_now);
        Assert.Equal(v, p.PseudonymizeCookielessVisitor(ip, "UA", "site", s_now.AddHours(1)));
        Assert.NotEqual(v, p.PseudonymizeCookielessVisitor(ip2, "UA", "site", s_now));
        Assert.NotEqual(v, p.PseudonymizeCookielessVisitor(ip, "UA2", "site", s_now));
        Assert.NotEqual(v, p.PseudonymizeCookielessVisitor(ip, "UA", "site2", s_now));
        Assert.NotEqual(v, p.PseudonymizeCookielessVisitor(ip, "UA", "site", s_now.AddDays(1)));
        Assert.Equal(PseudonymScope.Analytics, v.Scope);
    }
}
