namespace NumoTelemetry.Dns.Tests;

public sealed class DnsOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() => Assert.True(new DnsOptionsValidator().Validate(null, new DnsOptions()).Succeeded);

    [Fact]
    public void Validate_BadValues_NameEachSetting()
    {
        var result = new DnsOptionsValidator().Validate(null, new DnsOptions
        {
            NameServers = ["not-an-ip"],
            Timeout = TimeSpan.Zero,
            MaxConcurrency = 0,
            QueriesPerSecond = 0,
            Crawlers = [new CrawlerRule { Name = "X", UserAgentTokens = [], Domains = ["nodot"] }],
        });
        Assert.True(result.Failed);
        foreach (var setting in new[] { "NameServers", "Timeout", "MaxConcurrency", "QueriesPerSecond", "Crawlers:0:UserAgentTokens", "Crawlers:0:Domains" })
        {
            Assert.Contains("NumoTelemetry:Dns:" + setting, result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("127.0.0.1", 53)]
    [InlineData("127.0.0.1:5353", 5353)]
    [InlineData("[::1]:5300", 5300)]
    [InlineData("::1", 53)]
    public void NameServerParser_Entry_Parses(string text, int port)
    {
        Assert.True(NameServerParser.TryParse(text, out var endPoint));
        Assert.Equal(port, endPoint.Port);
    }
}
