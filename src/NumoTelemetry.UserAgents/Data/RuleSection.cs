namespace NumoTelemetry.UserAgents.Data;

/// <summary>The sections of the rule set, in the order the engine lays them out.</summary>
internal enum RuleSection
{
    /// <summary>uap-core <c>user_agent_parsers</c>.</summary>
    UserAgent,

    /// <summary>uap-core <c>os_parsers</c>.</summary>
    Os,

    /// <summary>uap-core <c>device_parsers</c>.</summary>
    Device,

    /// <summary>Bot patterns: the built-in ones, then the crawler list.</summary>
    Bot,
}
