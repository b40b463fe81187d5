using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Dns.Tests;

/// <summary>Parsed User-Agents built directly (independent of the UA engine).</summary>
internal static class TestUserAgents
{
    public static readonly UserAgentInfo Googlebot = Crawler("Googlebot");
    public static readonly UserAgentInfo Bingbot = Crawler("bingbot");
    public static readonly UserAgentInfo Browser = new(new VersionedFamily("Firefox", "128", "0", null, null), new VersionedFamily("Linux", null, null, null, null), DeviceInfo.Other, BotInfo.NotABot, DeviceTypes.Desktop);

    public static UserAgentInfo Crawler(string name) =>
        new(new VersionedFamily(name, null, null, null, null), VersionedFamily.Other, new DeviceInfo("Spider", null, null), new BotInfo(BotKind.Crawler, name), DeviceTypes.Bot);
}
