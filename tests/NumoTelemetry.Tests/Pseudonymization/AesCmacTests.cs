using System.Security.Cryptography;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Tests.Pseudonymization;

/// <summary>
/// AES-CMAC against the published test vectors (RFC 4493 for AES-128; NIST SP 800-38B's AES-256 examples), on the AES-NI
/// path and on the platform AES path, and the incremental writer against the one-shot computation.
/// </summary>
public sealed class AesCmacTests
{
    private const string Key128 = "2b7e151628aed2a6abf7158809cf4f3c";
    private const string Key256 = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
    private const string Message =
        "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

    public static TheoryData<string, int, string, bool> Vectors()
    {
        var data = new TheoryData<string, int, string, bool>();
        foreach (var intrinsics in new[] { true, false })
        {
            // RFC 4493, section 4 (examples 1-4).
            data.Add(Key128, 0, "bb1d6929e9593728 7fa37d129b756746".Replace(" ", string.Empty, StringComparison.Ordinal), intrinsics);
            data.Add(Key128, 16, "070a16b46b4d4144f79bdd9dd04a287c", intrinsics);
            data.Add(Key128, 40, "dfa66747de9ae63030ca32611497c827", intrinsics);
            data.Add(Key128, 64, "51f0bebf7e3b9d92fc49741779363cfe", intrinsics);

            // NIST SP 800-38B, appendix D.3 (CMAC-AES256, examples 9-12).
            data.Add(Key256, 0, "028962f61b7bf89efc6b551f4667d983", intrinsics);
            data.Add(Key256, 16, "28a7023f452e8f82bd4bf28d8c37c35c", intrinsics);
            data.Add(Key256, 40, "aaf3d8f1de5640c232f5b169b9c911e6", intrinsics);
            data.Add(Key256, 64, "e1992190549f6ed5696a2c056c315410", intrinsics);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Compute_PublishedVectors_Match(string key, int length, string expected, bool intrinsics)
    {
        using var cmac = new AesCmac(Convert.FromHexString(key), intrinsics);
        var tag = new byte[AesCmac.TagSize];

        var written = cmac.Compute(Convert.FromHexString(Message).AsSpan(0, length), tag);

        Assert.Equal(AesCmac.TagSize, written);
        Assert.Equal(expected, Convert.ToHexString(tag), ignoreCase: true);
    }

    [Fact]
    public void Compute_RandomKeysAndMessages_IntrinsicsAndPlatformAgree()
    {
        var random = new Random(4493);
        for (var i = 0; i < 500; i++)
        {
            var key = new byte[random.Next(2) == 0 ? 16 : 32];
            random.NextBytes(key);
            var message = new byte[random.Next(0, 200)];
            random.NextBytes(message);
            using var fast = new AesCmac(key, useIntrinsics: true);
            using var platform = new AesCmac(key, useIntrinsics: false);
            var a = new byte[16];
            var b = new byte[16];

            fast.Compute(message, a);
            platform.Compute(message, b);

            Assert.Equal(b, a);
        }
    }

    [Fact]
    public void Writer_AnySplitOfTheInput_GivesTheOneShotTag()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        using var cmac = new AesCmac(key);
        var message = RandomNumberGenerator.GetBytes(70);
        var expected = new byte[16];
        cmac.Compute(message, expected);

        for (var first = 0; first <= message.Length; first++)
        {
            for (var second = first; second <= message.Length; second += 7)
            {
                var writer = cmac.Begin();
                writer.Append(message.AsSpan(0, first));
                writer.Append(message.AsSpan(first, second - first));
                writer.Append(message.AsSpan(second));
                var tag = new byte[16];
                writer.Finish(tag);
                Assert.Equal(expected, tag);
            }
        }
    }

    [Fact]
    public void AppendUtf8_LongTextWithSurrogatePairs_EqualsTheUtf8Bytes()
    {
        using var cmac = new AesCmac(RandomNumberGenerator.GetBytes(16));
        var text = string.Concat(Enumerable.Repeat("a\U0001F600é", 300)); // crosses the writer's chunk boundaries
        var expected = new byte[16];
        cmac.Compute(System.Text.Encoding.UTF8.GetBytes(text), expected);

        var writer = cmac.Begin();
        writer.AppendUtf8(text);
        var tag = new byte[16];
        writer.Finish(tag);

        Assert.Equal(expected, tag);
    }

    [Fact]
    public void Constructor_KeyOfAnotherLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => new AesCmac(new byte[24]));
        Assert.Throws<ArgumentException>(() => AesCmac.HashData(new byte[15], [], new byte[16]));
    }

    [Fact]
    public void Compute_DestinationTooShort_Throws()
    {
        using var cmac = new AesCmac(new byte[16]);
        Assert.Throws<ArgumentException>(() => cmac.Compute([1, 2, 3], new byte[15]));
    }

    [Fact]
    public void UsesIntrinsics_OnAnAesNiProcessor_IsTrue()
    {
        using var cmac = new AesCmac(new byte[16]);
        Assert.Equal(System.Runtime.Intrinsics.X86.Aes.IsSupported, cmac.UsesIntrinsics);
    }

    [Theory]
    [InlineData(16, 0, true)]
    [InlineData(16, 1, true)]
    [InlineData(32, 15, true)]
    [InlineData(32, 16, true)]
    [InlineData(48, 17, true)]
    [InlineData(16, 24, false)]
    [InlineData(48, 40, false)]
    public void Continue_FromAPrefix_SameTagAsTheWholeMessage(int prefixLength, int restLength, bool intrinsics)
    {
        using var cmac = new AesCmac(Convert.FromHexString(Key256), intrinsics);
        var message = RandomNumberGenerator.GetBytes(prefixLength + restLength);
        var expected = new byte[16];
        cmac.Compute(message, expected);

        var start = cmac.Begin();
        start.Append(message.AsSpan(0, prefixLength));
        var prefix = start.TakePrefix();
        var writer = cmac.Continue(prefix);
        writer.Append(message.AsSpan(prefixLength));
        var tag = new byte[16];
        writer.Finish(tag);

        Assert.Equal(expected, tag);
    }

    [Fact]
    public void TakePrefix_OffABlockBoundary_Throws_AndContinueUnderAnotherKey_Throws()
    {
        using var cmac = new AesCmac(new byte[32]);
        using var other = new AesCmac(new byte[32]);
        var writer = cmac.Begin();
        writer.Append(new byte[20]);
        var threw = false;
        try
        {
            writer.TakePrefix();
        }
        catch (InvalidOperationException)
        {
            threw = true;
        }

        Assert.True(threw);
        writer.Append(new byte[12]);
        var prefix = writer.TakePrefix();
        Assert.Throws<ArgumentException>(() => other.Continue(prefix));
    }
}
