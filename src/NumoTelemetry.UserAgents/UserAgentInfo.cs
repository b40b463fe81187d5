namespace NumoTelemetry.UserAgents;

/// <summary>
/// Everything NumoTelemetry derives from one User-Agent string. Instances are immutable and
/// shared: a parser returns the same instance for the same User-Agent while it is cached.
/// </summary>
public sealed class UserAgentInfo
{
    private string? _browserVersion;
    private string? _osVersion;

    /// <summary>The result for a missing or empty User-Agent.</summary>
    public static UserAgentInfo Empty { get; } = new(VersionedFamily.Other, VersionedFamily.Other, DeviceInfo.Other, BotInfo.NotABot, DeviceTypes.Other);

    /// <summary>Creates a result.</summary>
    public UserAgentInfo(VersionedFamily browser, VersionedFamily os, DeviceInfo device, BotInfo bot, string deviceType, bool isOversized = false)
    {
        ArgumentNullException.ThrowIfNull(browser);
        ArgumentNullException.ThrowIfNull(os);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(bot);
        ArgumentNullException.ThrowIfNull(deviceType);
        Browser = browser;
        Os = os;
        Device = device;
        Bot = bot;
        DeviceType = deviceType;
        IsOversized = isOversized;
    }

    /// <summary>The browser (uap-core <c>user_agent</c>).</summary>
    public VersionedFamily Browser { get; }

    /// <summary>The operating system.</summary>
    public VersionedFamily Os { get; }

    /// <summary>The device.</summary>
    public DeviceInfo Device { get; }

    /// <summary>The bot classification.</summary>
    public BotInfo Bot { get; }

    /// <summary>A low-cardinality device class for metrics: one of the <see cref="DeviceTypes"/> constants.</summary>
    public string DeviceType { get; }

    /// <summary>Whether the User-Agent was longer than the configured cap (itself a signal: no real browser sends one).</summary>
    public bool IsOversized { get; }

    /// <summary>
    /// OpenTelemetry <c>user_agent.synthetic.type</c>: <c>test</c> for monitoring agents, <c>bot</c> for any
    /// other automated client, otherwise <see langword="null"/>.
    /// </summary>
    public string? SyntheticType => Bot.Kind switch
    {
        BotKind.None => null,
        BotKind.Monitoring => "test",
        _ => "bot",
    };

    /// <summary>The browser version joined with dots (<c>120.0.6099</c>), or <see langword="null"/>; computed once.</summary>
    public string? BrowserVersion => NullIfEmpty(_browserVersion ??= JoinVersion(Browser) ?? string.Empty);

    /// <summary>The OS version joined with dots (<c>10.15.7</c>), or <see langword="null"/>; computed once.</summary>
    public string? OsVersion => NullIfEmpty(_osVersion ??= JoinVersion(Os) ?? string.Empty);

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static string? JoinVersion(VersionedFamily family)
    {
        if (family.Major is null)
        {
            return null;
        }

        if (family.Minor is null)
        {
            return family.Major;
        }

        if (family.Patch is null)
        {
            return string.Concat(family.Major, ".", family.Minor);
        }

        return family.PatchMinor is null
            ? string.Concat(family.Major, ".", family.Minor, ".", family.Patch)
            : string.Join('.', family.Major, family.Minor, family.Patch, family.PatchMinor);
    }
}
