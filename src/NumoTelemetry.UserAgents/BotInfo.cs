namespace NumoTelemetry.UserAgents;

/// <summary>Bot classification of a User-Agent.</summary>
/// <param name="Kind">The kind of automated client, or <see cref="BotKind.None"/>.</param>
/// <param name="Name">The bot's name (for example <c>Googlebot</c>) when known.</param>
public sealed record BotInfo(BotKind Kind, string? Name)
{
    /// <summary>The shared instance for a client that is not a known bot.</summary>
    public static BotInfo NotABot { get; } = new(BotKind.None, null);

    /// <summary>Whether the client is any kind of bot, crawler, monitor, library or headless browser.</summary>
    public bool IsBot => Kind != BotKind.None;
}
