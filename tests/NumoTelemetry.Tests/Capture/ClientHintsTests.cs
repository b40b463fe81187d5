using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Alerts;
using NumoTelemetry.Capture;
using NumoTelemetry.Cli.Replay;
using NumoTelemetry.Fraud;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Tests.Fraud;
using NumoTelemetry.UserAgents;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Capture;

public sealed class ClientHintsTests
{
    private const string AndroidReduced = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
    private const string WindowsChrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    private const string IPhoneSafari = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
    private const string ChromeBrands = "\"Google Chrome\";v=\"131\", \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"";

    private static readonly UserAgentParser s_parser = new(new UserAgentParserOptions());

    [Theory]
    [InlineData("\"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"", "Google Chrome", "124")]
    [InlineData("\"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\", \"Microsoft Edge\";v=\"120\"", "Microsoft Edge", "120")]
    [InlineData("\"Chromium\";v=\"119\", \"Not?A_Brand\";v=\"24\"", "Chromium", "119")]
    [InlineData("\"Brave\";v=\"131.0.1\";x=\"y\",\"Chromium\";v=\"131\"", "Brave", "131")]
    public void TryBrand_RealHeaders_SignificantBrandAndMajor(string header, string brand, string major)
    {
        Assert.True(ClientHints.TryBrand(header, out var b, out var m));
        Assert.Equal(brand, b.ToString());
        Assert.Equal(major, m.ToString());
    }

    [Theory]
    [InlineData("\"Chrome\\\"\";v=\"1\"")]                 // an escape
    [InlineData("\"Chrome;v=\"1\"")]                        // unterminated
    [InlineData("Chrome;v=1")]                              // not a string
    [InlineData("\"Chr\u0001ome\";v=\"1\"")]                // a control character
    [InlineData("\"Chrome\";v=\"123456789012\"")]           // a version beyond bounds
    [InlineData("\"Chrome\" \"Edge\"")]                    // no separator
    public void TryBrand_Malformed_Refused(string header) => Assert.False(ClientHints.TryBrand(header, out _, out _));

    [Fact]
    public void TryBrand_TooManyBrandsOrHugeValue_RefusedWithoutAllocating()
    {
        var many = string.Join(", ", Enumerable.Range(0, 20).Select(static i => $"\"B{i}\";v=\"{i}\""));
        Assert.False(ClientHints.TryBrand(many, out _, out _));
        var hints = new ClientHints();
        var huge = "\"" + new string('a', 100_000) + "\";v=\"1\"";
        var parsed = s_parser.Parse(WindowsChrome);
        var merged = hints.Merge(parsed, WindowsChrome, huge, "?0", new string('"', 10_000), null, null);
        Assert.NotNull(merged);
        Assert.Same(parsed, merged.Info); // nothing usable: the User-Agent's parse unchanged
        Assert.False(merged.Mismatch);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            _ = ClientHints.TryBrand(many, out _, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Merge_ReducedAndroidUserAgent_GetsVersionAndModel()
    {
        var hints = new ClientHints();
        var merged = hints.Merge(s_parser.Parse(AndroidReduced), AndroidReduced, ChromeBrands, "?1", "\"Android\"", "\"14.0.0\"", "\"Pixel 8\"");
        Assert.NotNull(merged);
        Assert.False(merged.Mismatch);
        Assert.Equal("Android", merged.Info.Os.Family);
        Assert.Equal("14", merged.Info.Os.Major);
        Assert.Equal("Pixel 8", merged.Info.Device.Model);
        Assert.Equal("Chrome", merged.Info.Browser.Family);
        Assert.Equal("131", merged.Info.Browser.Major);
        Assert.Equal(DeviceTypes.Mobile, merged.Info.DeviceType);
        Assert.Same(merged, hints.Merge(s_parser.Parse(AndroidReduced), AndroidReduced, ChromeBrands, "?1", "\"Android\"", "\"14.0.0\"", "\"Pixel 8\"")); // cached
    }

    [Fact]
    public void Merge_NewHintsOnEveryRequest_HoldsAtMost4096AndStillAnswers()
    {
        var hints = new ClientHints();
        var parsed = s_parser.Parse(AndroidReduced);
        for (var i = 0; i < 10_000; i++)
        {
            var model = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"\"Pixel {i}\"");
            var merged = hints.Merge(parsed, AndroidReduced, ChromeBrands, "?1", "\"Android\"", "\"14.0.0\"", model);
            Assert.Equal($"Pixel {i}", merged?.Info.Device.Model);
            Assert.InRange(hints.Cached, 1, 4_096);
        }
    }

    [Theory]
    [InlineData("\"15.0.0\"", "11")]
    [InlineData("\"10.0.0\"", "10")]
    public void Merge_FrozenWindowsUserAgent_TellsWindows11From10(string platformVersion, string major)
    {
        var merged = new ClientHints().Merge(s_parser.Parse(WindowsChrome), WindowsChrome, ChromeBrands, "?0", "\"Windows\"", platformVersion, "\"\"");
        Assert.NotNull(merged);
        Assert.Equal("Windows", merged.Info.Os.Family);
        Assert.Equal(major, merged.Info.Os.Major);
    }

    [Theory]
    [InlineData("SM-S921B")]
    [InlineData("Pixel 8 Pro")]
    [InlineData("moto g54 5G")]
    public void Merge_ModelNames_PassTheScrubber(string model)
    {
        var merged = new ClientHints().Merge(s_parser.Parse(AndroidReduced), AndroidReduced, ChromeBrands, "?1", "\"Android\"", "\"14\"", $"\"{model}\"");
        Assert.Equal(model, merged!.Info.Device.Model);
    }

    [Fact]
    public void Merge_ModelThatLooksLikeAPhoneNumber_IsRedacted()
    {
        var merged = new ClientHints().Merge(s_parser.Parse(AndroidReduced), AndroidReduced, ChromeBrands, "?1", "\"Android\"", "\"14\"", "\"+44 7700 900123\"");
        Assert.Equal("(redacted)", merged!.Info.Device.Model);
    }

    [Theory]
    [InlineData(IPhoneSafari, "?0", "\"Windows\"")] // Chrome-on-Windows hints, Safari-on-iPhone User-Agent
    [InlineData(WindowsChrome, "?0", "\"Android\"")] // another platform
    [InlineData(WindowsChrome, "?1", "\"Windows\"")] // mobile flag on a desktop User-Agent
    public void Merge_HintsContradictUserAgent_Mismatch(string userAgent, string mobile, string platform)
    {
        var parsed = s_parser.Parse(userAgent);
        var merged = new ClientHints().Merge(parsed, userAgent, ChromeBrands, mobile, platform, null, null);
        Assert.NotNull(merged);
        Assert.True(merged.Mismatch);
        Assert.Equal(parsed.Browser.Family, merged.Info.Browser.Family); // a contradicted hint is not merged
    }

    [Fact]
    public void Merge_NoHints_Null() => Assert.Null(new ClientHints().Merge(s_parser.Parse(IPhoneSafari), IPhoneSafari, null, null, null, null, null));

    /// <summary>
    /// End to end through <c>numo replay</c> (jsonl with <c>headers</c>, the core's capture): a stuffing bot whose hints say Chrome on
    /// Windows but whose User-Agent says Safari on an iPhone carries <c>client-hints-mismatch</c> among its alert's reasons.
    /// </summary>
    [Fact]
    public void Replay_HeadersWithContradictingHints_MismatchIsAReasonOfTheAlert()
    {
        var lines = new StringBuilder();
        var t0 = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 40; i++)
        {
            lines.Append(CultureInfo.InvariantCulture, $"{{\"ts\":\"{t0.AddSeconds(i * 5):O}\",\"ip\":\"198.51.100.40\",\"method\":\"POST\",\"path\":\"/login\",\"status\":401,\"ua\":\"{IPhoneSafari}\",\"event\":\"login_failed\",\"user\":\"victim{i}\",");
            lines.Append("\"headers\":{\"sec-ch-ua\":\"\\\"Google Chrome\\\";v=\\\"131\\\", \\\"Chromium\\\";v=\\\"131\\\"\",\"sec-ch-ua-mobile\":\"?0\",\"sec-ch-ua-platform\":\"\\\"Windows\\\"\"}}\n");
        }

        var sink = new CollectingAlertSink();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["NumoTelemetry:Pseudonymization:Keys:1"] = KeyRing.GenerateKey() }).Build();
        using (var runner = new ReplayRunner(configuration, null, b => b.Services.AddSingleton<IAlertSink>(sink), Stream.Null))
        {
            var summary = runner.Run(new MemoryStream(Encoding.UTF8.GetBytes(lines.ToString())), ReplayFormat.Jsonl);
            Assert.Equal(40, summary.Replayed);
        }

        var alert = Assert.Single(sink.All.Where(static a => a.Rule == ReasonCodes.CredentialStuffing).Take(1));
        Assert.Contains(alert.Reasons, static r => r.Code == ReasonCodes.ClientHintsMismatch);
    }
}
