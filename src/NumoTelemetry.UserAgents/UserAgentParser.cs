namespace NumoTelemetry.UserAgents;

/// <summary>
/// The uap-core ua-parser engine with a bounded cache. PLACEHOLDER: the engine lands with issue 3.
/// </summary>
public sealed class UserAgentParser : IUserAgentParser
{
    /// <summary>Creates the parser.</summary>
    public UserAgentParser(UserAgentParserOptions? options = null)
    {
        _ = options;
    }

    /// <inheritdoc />
    public UserAgentInfo Parse(string? userAgent) => UserAgentInfo.Empty;
}
