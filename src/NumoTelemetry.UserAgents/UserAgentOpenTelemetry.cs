using System.Diagnostics;

namespace NumoTelemetry.UserAgents;

/// <summary>
/// Maps a <see cref="UserAgentInfo"/> onto OpenTelemetry's <c>user_agent.*</c> semantic-convention
/// attributes. Values come from the shared result, so calling these on a cached result allocates nothing.
/// </summary>
public static class UserAgentOpenTelemetry
{
    /// <summary><c>user_agent.name</c>: the browser family.</summary>
    public const string NameAttribute = "user_agent.name";

    /// <summary><c>user_agent.version</c>: the browser version.</summary>
    public const string VersionAttribute = "user_agent.version";

    /// <summary><c>user_agent.os.name</c>: the operating system family.</summary>
    public const string OsNameAttribute = "user_agent.os.name";

    /// <summary><c>user_agent.os.version</c>: the operating system version.</summary>
    public const string OsVersionAttribute = "user_agent.os.version";

    /// <summary><c>user_agent.synthetic.type</c>: <c>bot</c> or <c>test</c> for automated clients.</summary>
    public const string SyntheticTypeAttribute = "user_agent.synthetic.type";

    /// <summary>The <c>user_agent.name</c> value: the browser family, <see langword="null"/> when unknown.</summary>
    public static string? GetName(UserAgentInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.Browser.Family == "Other" ? null : info.Browser.Family;
    }

    /// <summary>The <c>user_agent.version</c> value, for example <c>120.0.6099</c>; <see langword="null"/> when unknown.</summary>
    public static string? GetVersion(UserAgentInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.BrowserVersion;
    }

    /// <summary>The <c>user_agent.os.name</c> value: the OS family, <see langword="null"/> when unknown.</summary>
    public static string? GetOsName(UserAgentInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.Os.Family == "Other" ? null : info.Os.Family;
    }

    /// <summary>The <c>user_agent.os.version</c> value, for example <c>10.15.7</c>; <see langword="null"/> when unknown.</summary>
    public static string? GetOsVersion(UserAgentInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.OsVersion;
    }

    /// <summary>The <c>user_agent.synthetic.type</c> value: <c>test</c> for monitoring agents, <c>bot</c> for other automated clients.</summary>
    public static string? GetSyntheticType(UserAgentInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.SyntheticType;
    }

    /// <summary>Adds the attributes that have a value to <paramref name="tags"/>.</summary>
    public static void AddTags(ref TagList tags, UserAgentInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        AddIfSet(ref tags, NameAttribute, GetName(info));
        AddIfSet(ref tags, VersionAttribute, info.BrowserVersion);
        AddIfSet(ref tags, OsNameAttribute, GetOsName(info));
        AddIfSet(ref tags, OsVersionAttribute, info.OsVersion);
        AddIfSet(ref tags, SyntheticTypeAttribute, info.SyntheticType);
    }

    private static void AddIfSet(ref TagList tags, string name, string? value)
    {
        if (value is not null)
        {
            tags.Add(name, value);
        }
    }
}
