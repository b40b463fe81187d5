using System.Text;
using NumoTelemetry.UserAgents.Data;

namespace NumoTelemetry.UserAgents.Engine;

/// <summary>
/// How a matched rule turns into its output fields, with the reference implementation's rules: in
/// <c>user_agent_parsers</c> only the first <c>$1</c> of <c>family_replacement</c> is substituted and the
/// version replacements are literal; in OS and device rules every <c>$N</c> is substituted (a missing
/// group gives an empty string) and the result is trimmed; empty results become <see langword="null"/>.
/// Fields that need no capture are computed once here. The others are joined into one .NET replacement
/// template, so one <see cref="System.Text.RegularExpressions.Regex.Replace(string, string, int)"/> on the
/// whole-input pattern yields all of them in a single string, with no Match or Group objects allocated.
/// </summary>
internal sealed class RuleTemplate
{
    /// <summary>Separates the fields in the template's output.</summary>
    public const char Separator = '\uFFFF';

    private RuleTemplate(string? template, int[] slots, string[] slotTemplates, bool[] trim, string?[] literals)
    {
        Template = template;
        Slots = slots;
        SlotTemplates = slotTemplates;
        Trim = trim;
        Literals = literals;
    }

    /// <summary>The .NET replacement template, or <see langword="null"/> when every field is literal.</summary>
    public string? Template { get; }

    /// <summary>The field index of each separated segment of the template's output.</summary>
    public IReadOnlyList<int> Slots { get; }

    /// <summary>
    /// The replacement template of each slot on its own, for User-Agents that contain <see cref="Separator"/>
    /// themselves (then the joined output cannot be split, and each slot is expanded from a Match instead).
    /// </summary>
    public IReadOnlyList<string> SlotTemplates { get; }

    /// <summary>Whether each field is trimmed.</summary>
    public IReadOnlyList<bool> Trim { get; }

    /// <summary>The value of each field that needs no capture (already trimmed, empty as <see langword="null"/>).</summary>
    public IReadOnlyList<string?> Literals { get; }

    /// <summary>Builds the template of <paramref name="rule"/>, whose regex has <paramref name="groupCount"/> groups.</summary>
    public static RuleTemplate Build(RuleDefinition rule, int groupCount)
    {
        var fieldCount = RuleDefinition.FieldCount(rule.Section);
        var trim = new bool[fieldCount];
        var literals = new string?[fieldCount];
        var slots = new List<int>();
        var slotTemplates = new List<string>();
        var template = new StringBuilder();
        for (var field = 0; field < fieldCount; field++)
        {
            var replacement = field < rule.Replacements.Count ? rule.Replacements[field] : null;
            var hasReplacement = !string.IsNullOrEmpty(replacement);
            var part = new StringBuilder();
            bool usesGroup;
            if (rule.Section == RuleSection.UserAgent)
            {
                usesGroup = field == 0
                    ? hasReplacement ? AppendFirstDollarOne(part, replacement!, groupCount) : AppendGroup(part, 1, groupCount)
                    : hasReplacement ? AppendLiteral(part, replacement!) : AppendGroup(part, field + 1, groupCount);
            }
            else if (hasReplacement)
            {
                trim[field] = true;
                usesGroup = AppendAllDollars(part, replacement!, groupCount);
            }
            else if (rule.Section == RuleSection.Os)
            {
                usesGroup = AppendGroup(part, field + 1, groupCount);
            }
            else
            {
                // Device: family and model default to $1, brand to nothing.
                usesGroup = field != 1 && AppendGroup(part, 1, groupCount);
            }

            if (usesGroup)
            {
                if (slots.Count > 0)
                {
                    template.Append(Separator);
                }

                slots.Add(field);
                slotTemplates.Add(part.ToString());
                template.Append(part);
            }
            else
            {
                var text = Unescape(part.ToString());
                if (trim[field])
                {
                    text = text.Trim();
                }

                literals[field] = text.Length == 0 ? null : text;
            }
        }

        return new RuleTemplate(slots.Count == 0 ? null : template.ToString(), [.. slots], [.. slotTemplates], trim, literals);
    }

    private static bool AppendGroup(StringBuilder part, int group, int groupCount)
    {
        if (group > groupCount)
        {
            return false;
        }

        part.Append("${").Append(group).Append('}');
        return true;
    }

    private static bool AppendLiteral(StringBuilder part, string text)
    {
        part.Append(text.Replace("$", "$$", StringComparison.Ordinal));
        return false;
    }

    private static bool AppendFirstDollarOne(StringBuilder part, string replacement, int groupCount)
    {
        var at = replacement.IndexOf("$1", StringComparison.Ordinal);
        if (at < 0)
        {
            return AppendLiteral(part, replacement);
        }

        AppendLiteral(part, replacement[..at]);
        var usesGroup = AppendGroup(part, 1, groupCount);
        AppendLiteral(part, replacement[(at + 2)..]);
        return usesGroup;
    }

    private static bool AppendAllDollars(StringBuilder part, string replacement, int groupCount)
    {
        var usesGroup = false;
        for (var i = 0; i < replacement.Length; i++)
        {
            var c = replacement[i];
            if (c == '$' && i + 1 < replacement.Length && char.IsAsciiDigit(replacement[i + 1]))
            {
                usesGroup |= AppendGroup(part, replacement[i + 1] - '0', groupCount);
                i++;
            }
            else if (c == '$')
            {
                part.Append("$$");
            }
            else
            {
                part.Append(c);
            }
        }

        return usesGroup;
    }

    private static string Unescape(string literalTemplate) => literalTemplate.Replace("$$", "$", StringComparison.Ordinal);
}
