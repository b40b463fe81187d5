namespace NumoTelemetry.UserAgents.Data;

/// <summary>One rule as read from the data: the pattern, its flag and its replacement templates.</summary>
internal sealed class RuleDefinition
{
    /// <summary>Creates a rule.</summary>
    /// <param name="section">The section it belongs to.</param>
    /// <param name="pattern">The ECMAScript pattern.</param>
    /// <param name="ignoreCase">Whether <c>regex_flag: 'i'</c> was given.</param>
    /// <param name="replacements">
    /// The replacement templates by field, <see langword="null"/> or empty when absent:
    /// user agent: family, v1, v2, v3, v4; OS: os, v1, v2, v3, v4; device: device, brand, model.
    /// </param>
    /// <param name="bot">For a bot rule, the classification it yields.</param>
    public RuleDefinition(RuleSection section, string pattern, bool ignoreCase, string?[] replacements, BotInfo? bot = null)
    {
        Section = section;
        Pattern = pattern;
        IgnoreCase = ignoreCase;
        Replacements = replacements;
        Bot = bot;
    }

    /// <summary>The section.</summary>
    public RuleSection Section { get; }

    /// <summary>The ECMAScript pattern.</summary>
    public string Pattern { get; }

    /// <summary>Whether matching ignores case.</summary>
    public bool IgnoreCase { get; }

    /// <summary>The replacement templates by field.</summary>
    public IReadOnlyList<string?> Replacements { get; }

    /// <summary>For a bot rule, its classification.</summary>
    public BotInfo? Bot { get; }

    /// <summary>The number of output fields of a section.</summary>
    public static int FieldCount(RuleSection section) => section switch
    {
        RuleSection.UserAgent => 5,
        RuleSection.Os => 5,
        RuleSection.Device => 3,
        _ => 0,
    };
}
