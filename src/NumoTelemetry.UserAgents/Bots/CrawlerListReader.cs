using System.Text.Json;
using NumoTelemetry.UserAgents.Data;
using NumoTelemetry.UserAgents.Prefilter;

namespace NumoTelemetry.UserAgents.Bots;

/// <summary>
/// Reads crawler-user-agents' JSON list (patterns with tags) into bot rules, streaming with
/// <see cref="Utf8JsonReader"/> and skipping the example instances.
/// </summary>
internal static class CrawlerListReader
{
    /// <summary>
    /// Patterns of the list that also match real browsers, tightened here: <c>008\/</c> (the 80legs
    /// crawler) matches Opera Mini's "Opera Mini/4.4.39008/37.9178".
    /// </summary>
    private static readonly Dictionary<string, string> Tightened = new(StringComparer.Ordinal)
    {
        [@"008\/"] = @"(?:^|[ (;])008\/",
    };

    /// <summary>Reads the rules of <paramref name="json"/>, in list order.</summary>
    /// <exception cref="InvalidDataException">The list is not valid JSON of the expected shape.</exception>
    public static List<RuleDefinition> Read(ReadOnlySpan<byte> json)
    {
        var rules = new List<RuleDefinition>(1600);
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            Expect(ref reader, JsonTokenType.StartArray);
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                string? pattern = null;
                var kind = BotKind.None;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("pattern"u8))
                    {
                        reader.Read();
                        pattern = reader.GetString();
                    }
                    else if (reader.ValueTextEquals("tags"u8))
                    {
                        reader.Read();
                        kind = ReadKind(ref reader);
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                if (!string.IsNullOrEmpty(pattern))
                {
                    pattern = Tightened.GetValueOrDefault(pattern, pattern);
                    var name = RegexLiteralRenderer.Render(pattern);
                    rules.Add(new RuleDefinition(RuleSection.Bot, pattern, ignoreCase: false, [], new BotInfo(kind == BotKind.None ? BotKind.Crawler : kind, name)));
                }
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Invalid crawler list: {ex.Message}", ex);
        }

        return rules;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new InvalidDataException($"Invalid crawler list: expected {type}.");
        }
    }

    /// <summary>Maps the list's tags to a kind; the most specific tag wins.</summary>
    private static BotKind ReadKind(ref Utf8JsonReader reader)
    {
        var best = BotKind.None;
        var bestRank = int.MaxValue;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return best;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.String)
        {
            var (kind, rank) = reader.GetString() switch
            {
                "browser-automation" => (BotKind.Headless, 0),
                "http-library" => (BotKind.HttpLibrary, 1),
                "monitoring" => (BotKind.Monitoring, 2),
                "search-engine" or "ai-crawler" or "seo" or "archiver" or "academic" or "scanner" => (BotKind.Crawler, 3),
                "social-preview" or "feed-reader" or "advertising" => (BotKind.Bot, 4),
                _ => (BotKind.None, int.MaxValue),
            };
            if (rank < bestRank)
            {
                (best, bestRank) = (kind, rank);
            }
        }

        return best;
    }
}
