using System.Diagnostics;

namespace NumoTelemetry.UserAgents.Tests;

public sealed class OpenTelemetryMappingTests
{
    [Fact]
    public void AddTags_Browser_MapsSemanticConventionAttributes()
    {
        var info = SharedParser.Instance.Parse("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36");
        var tags = default(TagList);

        UserAgentOpenTelemetry.AddTags(ref tags, info);

        var map = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            map[tag.Key] = tag.Value;
        }

        Assert.Equal("Chrome", map["user_agent.name"]);
        Assert.Equal("131.0.6778.85", map["user_agent.version"]);
        Assert.Equal("Mac OS X", map["user_agent.os.name"]);
        Assert.Equal("10.15.7", map["user_agent.os.version"]);
        Assert.False(map.ContainsKey("user_agent.synthetic.type"));
        Assert.Same(info.BrowserVersion, UserAgentOpenTelemetry.GetVersion(info));
    }

    [Theory]
    [InlineData("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot")]
    [InlineData("Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", "test")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", null)]
    public void GetSyntheticType_Client_MapsBotOrTest(string ua, string? expected)
    {
        Assert.Equal(expected, UserAgentOpenTelemetry.GetSyntheticType(SharedParser.Instance.Parse(ua)));
    }

    [Fact]
    public void GetName_Unknown_IsNull()
    {
        Assert.Null(UserAgentOpenTelemetry.GetName(UserAgentInfo.Empty));
        Assert.Null(UserAgentOpenTelemetry.GetVersion(UserAgentInfo.Empty));
        Assert.Null(UserAgentOpenTelemetry.GetOsName(UserAgentInfo.Empty));
    }
}
