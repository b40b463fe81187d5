using System.Runtime.CompilerServices;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Capture;

/// <summary>
/// Keeps text copied out of a User-Agent from reaching metrics and the request log. uap-core rules can
/// capture arbitrary User-Agent text as a family (its generic bot rule takes up to 50 characters before
/// "bot", so <c>x canary-ua-7f3kbot/1.0</c> would name a "browser" <c>canary-ua-7f3kbot</c>). The rule:
/// <list type="bullet">
/// <item>A bot's name is kept only when it is a literal of the rules (a crawler-list or built-in bot name, a
/// replacement, a literal alternative such as <c>(Googlebot)</c>), otherwise it becomes <see cref="OtherBot"/>.
/// A bot's browser family is kept when it is such a literal, or when the bot is named by the rules and the
/// family is made only of the rules' words; otherwise it becomes the bot's name, or <see cref="OtherBot"/>.</item>
/// <item>Any other browser or OS family is kept when it is a literal of the rules or made only of the rules' own
/// words (so <c>Chrome</c>, <c>Mobile Safari</c>, <c>Chrome Mobile WebView</c>, <c>Mac OS X</c> stay); otherwise it
/// becomes <c>Other</c>.</item>
/// <item>Version parts longer than 6 characters or not plain letters and digits are dropped, and a replaced
/// family loses its versions.</item>
/// </list>
/// Results are cached per parsed instance (the parser shares one per User-Agent), so the hot path pays a
/// lookup and allocates nothing. With a custom <see cref="IUserAgentParser"/>, its results pass unchanged.
/// </summary>
internal sealed class UserAgentRedactor
{
    /// <summary>The family and bot name reported for a bot the rules do not name.</summary>
    public const string OtherBot = "Other bot";

    private static readonly VersionedFamily s_otherBot = new(OtherBot, null, null, null, null);

    private readonly FamilyVocabulary? _vocabulary;
    private readonly ConditionalWeakTable<UserAgentInfo, UserAgentInfo> _safe = [];
    private readonly ConditionalWeakTable<UserAgentInfo, UserAgentInfo>.CreateValueCallback _redact;

    public UserAgentRedactor(IUserAgentParser parser)
    {
        _vocabulary = (parser as UserAgentParser)?.Vocabulary;
        _redact = Redact;
    }

    public UserAgentInfo Apply(UserAgentInfo info)
    {
        if (_vocabulary is null || ReferenceEquals(info, UserAgentInfo.Empty))
        {
            return info;
        }

        return _safe.TryGetValue(info, out var safe) ? safe : _safe.GetValue(info, _redact);
    }

    private UserAgentInfo Redact(UserAgentInfo info)
    {
        var vocabulary = _vocabulary!;
        var bot = info.Bot;
        VersionedFamily browser;
        if (bot.IsBot)
        {
            var listed = bot.Name is { } name && vocabulary.IsLiteral(name);
            if (bot.Name is not null && !listed)
            {
                bot = new BotInfo(bot.Kind, OtherBot);
            }

            if (vocabulary.IsLiteral(info.Browser.Family) || (listed && vocabulary.IsKnown(info.Browser.Family)))
            {
                browser = Versions(info.Browser);
            }
            else
            {
                browser = listed ? new VersionedFamily(bot.Name!, null, null, null, null) : s_otherBot;
            }
        }
        else
        {
            browser = vocabulary.IsKnown(info.Browser.Family) ? Versions(info.Browser) : VersionedFamily.Other;
        }

        var os = vocabulary.IsKnown(info.Os.Family) ? Versions(info.Os) : VersionedFamily.Other;
        return ReferenceEquals(browser, info.Browser) && ReferenceEquals(os, info.Os) && ReferenceEquals(bot, info.Bot)
            ? info
            : new UserAgentInfo(browser, os, info.Device, bot, info.DeviceType, info.IsOversized);
    }

    private static VersionedFamily Versions(VersionedFamily family) =>
        Plain(family.Major) && Plain(family.Minor) && Plain(family.Patch) && Plain(family.PatchMinor)
            ? family
            : new VersionedFamily(family.Family, Keep(family.Major), Keep(family.Major) is null ? null : Keep(family.Minor), null, null);

    private static string? Keep(string? part) => Plain(part) ? part : null;

    private static bool Plain(string? part)
    {
        if (part is null)
        {
            return true;
        }

        if (part.Length > 6)
        {
            return false;
        }

        foreach (var c in part)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
