using NumoTelemetry.UserAgents.Data;

namespace NumoTelemetry.UserAgents.Bots;

/// <summary>
/// A few automated clients that the crawler list does not name (HTTP libraries, monitoring agents and
/// browser-automation tools). They are checked before the crawler list, in this order.
/// </summary>
internal static class BuiltInBotRules
{
    private static readonly (string Pattern, BotKind Kind, string Name)[] Rules =
    [
        (@"^Java/\d", BotKind.HttpLibrary, "Java"),
        (@"^undici", BotKind.HttpLibrary, "undici"),
        (@"PostmanRuntime/", BotKind.HttpLibrary, "PostmanRuntime"),
        (@"^insomnia/", BotKind.HttpLibrary, "insomnia"),
        (@"^Ruby\b", BotKind.HttpLibrary, "Ruby"),
        (@"^Faraday v", BotKind.HttpLibrary, "Faraday"),
        (@"GuzzleHttp/", BotKind.HttpLibrary, "GuzzleHttp"),
        (@"RestSharp/", BotKind.HttpLibrary, "RestSharp"),
        (@"WindowsPowerShell/", BotKind.HttpLibrary, "WindowsPowerShell"),
        (@"^Dart/\d.*\(dart:io\)", BotKind.HttpLibrary, "Dart"),
        (@"^reqwest/", BotKind.HttpLibrary, "reqwest"),
        (@"^libcurl/", BotKind.HttpLibrary, "libcurl"),
        (@"^PycURL/", BotKind.HttpLibrary, "PycURL"),
        (@"^http\.rb/", BotKind.HttpLibrary, "http.rb"),
        (@"Datadog/Synthetics|DatadogSynthetics", BotKind.Monitoring, "Datadog Synthetics"),
        (@"NewRelicPinger/", BotKind.Monitoring, "NewRelicPinger"),
        (@"RuxitSynthetic/", BotKind.Monitoring, "Dynatrace Synthetic"),
        (@"Checkly/", BotKind.Monitoring, "Checkly"),
        (@"\bCypress/", BotKind.Headless, "Cypress"),
        (@"\bjsdom/", BotKind.Headless, "jsdom"),
        (@"SlimerJS/", BotKind.Headless, "SlimerJS"),
        (@"\bHeadlessEdg/", BotKind.Headless, "HeadlessEdg"),
    ];

    /// <summary>The rules as definitions of the <see cref="RuleSection.Bot"/> section.</summary>
    public static IEnumerable<RuleDefinition> Definitions()
    {
        foreach (var (pattern, kind, name) in Rules)
        {
            yield return new RuleDefinition(RuleSection.Bot, pattern, ignoreCase: false, [], new BotInfo(kind, name));
        }
    }
}
