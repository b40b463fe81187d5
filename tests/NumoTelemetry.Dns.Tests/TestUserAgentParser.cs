using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Dns.Tests;

/// <summary>A stand-in parser for host tests: Googlebot when the header says so, a browser otherwise.</summary>
internal sealed class TestUserAgentParser : IUserAgentParser
{
    public UserAgentInfo Parse(string? userAgent) =>
        userAgent?.Contains("Googlebot", StringComparison.Ordinal) == true ? TestUserAgents.Googlebot : TestUserAgents.Browser;
}
