namespace NumoTelemetry.UserAgents.Tests;

/// <summary>One default parser for tests that only read results (building one takes a moment).</summary>
internal static class SharedParser
{
    private static readonly Lazy<UserAgentParser> Lazy = new(() => new UserAgentParser());

    public static UserAgentParser Instance => Lazy.Value;
}
