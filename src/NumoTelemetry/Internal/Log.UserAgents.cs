using Microsoft.Extensions.Logging;

namespace NumoTelemetry.Internal;

/// <summary>User-Agent parser log messages (event ids 300-309).</summary>
internal static partial class Log
{
    [LoggerMessage(300, LogLevel.Warning, "NumoTelemetry User-Agent rules from {Source}: {Count} pattern(s) are not valid .NET regular expressions and never match (first: {Pattern}). Use a regexes.yaml this engine supports.", EventName = "UserAgentRulesInvalid")]
    public static partial void UserAgentRulesInvalid(ILogger logger, int count, string source, string pattern);
}
