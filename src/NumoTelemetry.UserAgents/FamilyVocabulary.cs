using System.Collections.Frozen;
using System.Text.RegularExpressions;
using NumoTelemetry.UserAgents.Data;

namespace NumoTelemetry.UserAgents;

/// <summary>
/// What the rules themselves can name: the literal families of the rules file (replacements without
/// <c>$n</c>, literal alternatives of capture groups such as <c>(Firefox|Iceweasel)</c>, bot names of
/// the bot rules and crawler list) and the words their text is made of. A family made of anything else
/// was copied out of the User-Agent by a capture such as uap-core's generic bot rule
/// (<c>([A-Za-z0-9 \-_\!\[\]:]{0,50}(?:[Bb]ot|...))</c>), so it may carry an arbitrary token of the client's.
/// Obtained from <see cref="UserAgentParser.Vocabulary"/>; immutable and safe to share between threads, and its
/// checks allocate nothing.
/// </summary>
public sealed partial class FamilyVocabulary
{
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _literals;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _words;

    internal FamilyVocabulary(IEnumerable<RuleDefinition> rules)
    {
        var literals = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Other" };
        var words = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var rule in rules)
        {
            if (rule.Bot?.Name is { } botName)
            {
                literals.Add(botName);
                AddWords(words, botName);
            }

            if (rule.Replacements.Count > 0 && rule.Replacements[0] is { } family && !family.Contains('$', StringComparison.Ordinal))
            {
                literals.Add(family.Trim());
            }

            foreach (var replacement in rule.Replacements)
            {
                if (replacement is not null)
                {
                    AddWords(words, replacement.Replace("$", " ", StringComparison.Ordinal));
                }
            }

            foreach (Match group in LiteralGroup().Matches(rule.Pattern))
            {
                foreach (var alternative in group.Groups[1].Value.Split('|'))
                {
                    literals.Add(Unescape(alternative).Trim());
                }
            }

            // Escapes (\d, \b, \.) are not letters of a word.
            AddWords(words, Escape().Replace(rule.Pattern, " "));
        }

        literals.Remove(string.Empty);
        _literals = literals.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
        _words = words.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Whether <paramref name="family"/> is, as a whole, a literal of the rules (case-insensitive).</summary>
    public bool IsLiteral(ReadOnlySpan<char> family) => _literals.Contains(family.Trim());

    /// <summary>
    /// Whether <paramref name="family"/> is a literal of the rules, or made only of the rules' words: every run of
    /// letters and digits in it contains a letter and occurs as a word in the rules. No allocation.
    /// </summary>
    public bool IsKnown(ReadOnlySpan<char> family)
    {
        if (IsLiteral(family))
        {
            return true;
        }

        var i = 0;
        var any = false;
        while (i < family.Length)
        {
            if (!char.IsAsciiLetterOrDigit(family[i]))
            {
                i++;
                continue;
            }

            var start = i;
            var letter = false;
            while (i < family.Length && char.IsAsciiLetterOrDigit(family[i]))
            {
                letter |= char.IsAsciiLetter(family[i]);
                i++;
            }

            if (!letter || !_words.Contains(family[start..i]))
            {
                return false;
            }

            any = true;
        }

        return any;
    }

    private static void AddWords(HashSet<string> words, string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsAsciiLetterOrDigit(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            var letter = false;
            while (i < text.Length && char.IsAsciiLetterOrDigit(text[i]))
            {
                letter |= char.IsAsciiLetter(text[i]);
                i++;
            }

            if (letter)
            {
                words.Add(text[start..i]);
            }
        }
    }

    private static string Unescape(string text) => text.Replace("\\", string.Empty, StringComparison.Ordinal);

    // A capturing group that is only literal text and alternations: (Firefox|Iceweasel), (Opera Mini), (Edg)
    [GeneratedRegex(@"\((?!\?)((?:[A-Za-z0-9 _\-/!]|\\[ .\-/!])+(?:\|(?:[A-Za-z0-9 _\-/!]|\\[ .\-/!])+)*)\)", RegexOptions.CultureInvariant)]
    private static partial Regex LiteralGroup();

    [GeneratedRegex(@"\\.", RegexOptions.CultureInvariant)]
    private static partial Regex Escape();
}
