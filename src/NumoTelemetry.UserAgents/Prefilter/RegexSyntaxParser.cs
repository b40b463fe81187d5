using System.Globalization;
using System.Text;

namespace NumoTelemetry.UserAgents.Prefilter;

/// <summary>
/// Parses the ECMAScript regular-expression syntax used by uap-core and crawler-user-agents into a
/// <see cref="RegexNode"/> tree that keeps just what literal-atom analysis needs. Anything it does not
/// understand throws <see cref="FormatException"/>, and the caller then treats the rule as "always run".
/// </summary>
internal sealed class RegexSyntaxParser
{
    private const int MaxSetSize = 64;
    private readonly string _pattern;
    private int _pos;

    private RegexSyntaxParser(string pattern)
    {
        _pattern = pattern;
    }

    /// <summary>Parses <paramref name="pattern"/>.</summary>
    /// <exception cref="FormatException">The pattern uses syntax the analysis does not support.</exception>
    public static RegexNode Parse(string pattern)
    {
        var parser = new RegexSyntaxParser(pattern);
        var node = parser.ParseAlternation();
        if (parser._pos != pattern.Length)
        {
            throw new FormatException($"Unexpected '{pattern[parser._pos]}' at {parser._pos}.");
        }

        return node;
    }

    private bool More => _pos < _pattern.Length;

    private char Peek => _pattern[_pos];

    private RegexNode ParseAlternation()
    {
        var alternatives = new List<RegexNode> { ParseConcat() };
        while (More && Peek == '|')
        {
            _pos++;
            alternatives.Add(ParseConcat());
        }

        return RegexNode.Alternate(alternatives);
    }

    private RegexNode ParseConcat()
    {
        var items = new List<RegexNode>();
        while (More && Peek != '|' && Peek != ')')
        {
            var atom = ParseAtom();
            items.Add(ParseQuantifier(atom));
        }

        return items.Count == 0 ? RegexNode.Empty : RegexNode.Concat(items);
    }

    private RegexNode ParseQuantifier(RegexNode atom)
    {
        if (!More)
        {
            return atom;
        }

        int min, max;
        switch (Peek)
        {
            case '*':
                (min, max) = (0, int.MaxValue);
                _pos++;
                break;
            case '+':
                (min, max) = (1, int.MaxValue);
                _pos++;
                break;
            case '?':
                (min, max) = (0, 1);
                _pos++;
                break;
            case '{' when TryParseBraces(out min, out max):
                break;
            default:
                return atom;
        }

        if (More && Peek == '?')
        {
            _pos++; // lazy: the same language, so the same atoms
        }

        return RegexNode.Repeat(atom, min, max);
    }

    private bool TryParseBraces(out int min, out int max)
    {
        min = 0;
        max = 0;
        var end = _pattern.IndexOf('}', _pos);
        if (end < 0)
        {
            return false;
        }

        var body = _pattern.AsSpan(_pos + 1, end - _pos - 1);
        var comma = body.IndexOf(',');
        var minText = comma < 0 ? body : body[..comma];
        if (!int.TryParse(minText, NumberStyles.None, CultureInfo.InvariantCulture, out min))
        {
            return false;
        }

        if (comma < 0)
        {
            max = min;
        }
        else if (comma == body.Length - 1)
        {
            max = int.MaxValue;
        }
        else if (!int.TryParse(body[(comma + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out max))
        {
            return false;
        }

        _pos = end + 1;
        return true;
    }

    private RegexNode ParseAtom()
    {
        var c = _pattern[_pos++];
        switch (c)
        {
            case '(':
                return ParseGroup();
            case '[':
                return ParseClass();
            case '\\':
                return ParseEscape();
            case '.':
                return RegexNode.Any;
            case '^':
            case '$':
                return RegexNode.Empty;
            case '*':
            case '+':
            case '?':
                throw new FormatException($"Quantifier '{c}' without an operand.");
            default:
                return RegexNode.Literal(c);
        }
    }

    private RegexNode ParseGroup()
    {
        var zeroWidth = false;
        if (More && Peek == '?')
        {
            var rest = _pattern.AsSpan(_pos);
            if (rest.StartsWith("?:", StringComparison.Ordinal))
            {
                _pos += 2;
            }
            else if (rest.StartsWith("?=", StringComparison.Ordinal) || rest.StartsWith("?!", StringComparison.Ordinal))
            {
                _pos += 2;
                zeroWidth = true;
            }
            else if (rest.StartsWith("?<=", StringComparison.Ordinal) || rest.StartsWith("?<!", StringComparison.Ordinal))
            {
                _pos += 3;
                zeroWidth = true;
            }
            else if (rest.StartsWith("?<", StringComparison.Ordinal))
            {
                var close = _pattern.IndexOf('>', _pos);
                if (close < 0)
                {
                    throw new FormatException("Unterminated group name.");
                }

                _pos = close + 1;
            }
            else
            {
                throw new FormatException("Unsupported group construct.");
            }
        }

        var inner = ParseAlternation();
        if (!More || Peek != ')')
        {
            throw new FormatException("Missing ')'.");
        }

        _pos++;
        return zeroWidth ? RegexNode.Empty : inner;
    }

    private RegexNode ParseEscape()
    {
        if (!More)
        {
            throw new FormatException("Trailing backslash.");
        }

        var c = _pattern[_pos++];
        if (IsShorthandClass(c))
        {
            return RegexNode.Any;
        }

        switch (c)
        {
            case 'b':
            case 'B':
                return RegexNode.Empty;
            case >= '1' and <= '9':
                return RegexNode.Any; // back-reference (or a legacy octal escape): anything
            default:
                return RegexNode.Literal(EscapedChar(c));
        }
    }

    private char EscapedChar(char c)
    {
        switch (c)
        {
            case 't': return '\t';
            case 'n': return '\n';
            case 'r': return '\r';
            case 'f': return '\f';
            case 'v': return '\v';
            case '0': return '\0';
            case 'x': return HexChar(2);
            case 'u': return HexChar(4);
            case 'c':
                if (More && char.IsAsciiLetter(Peek))
                {
                    return (char)(_pattern[_pos++] % 32);
                }

                throw new FormatException("Unsupported \\c escape.");
            default:
                return c;
        }
    }

    private char HexChar(int digits)
    {
        if (_pos + digits > _pattern.Length
            || !int.TryParse(_pattern.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException("Bad hexadecimal escape.");
        }

        _pos += digits;
        return (char)value;
    }

    // Long because: a tight parser of one regex character class, escapes and ranges inline.
    private RegexNode ParseClass()
    {
        var negated = false;
        if (More && Peek == '^')
        {
            negated = true;
            _pos++;
        }

        var members = new StringBuilder();
        var unknown = negated;
        while (true)
        {
            if (!More)
            {
                throw new FormatException("Missing ']'.");
            }

            var c = _pattern[_pos++];
            if (c == ']')
            {
                break; // ECMAScript: ']' always closes, so "[]" is the empty class
            }

            if (!TryClassChar(c, out var low))
            {
                unknown = true;
                continue;
            }

            if (More && Peek == '-' && _pos + 1 < _pattern.Length && _pattern[_pos + 1] != ']')
            {
                _pos++;
                var hc = _pattern[_pos++];
                if (!TryClassChar(hc, out var high) || high < low)
                {
                    unknown = true;
                    continue;
                }

                if (high - low + members.Length > MaxSetSize)
                {
                    unknown = true;
                    continue;
                }

                for (var ch = low; ch <= high; ch++)
                {
                    members.Append(ch);
                }
            }
            else
            {
                members.Append(low);
            }

            if (members.Length > MaxSetSize)
            {
                unknown = true;
            }
        }

        if (unknown || members.Length == 0)
        {
            return RegexNode.Any;
        }

        return RegexNode.Set(members.ToString());
    }

    private bool TryClassChar(char c, out char value)
    {
        value = c;
        if (c != '\\')
        {
            return true;
        }

        if (!More)
        {
            throw new FormatException("Trailing backslash.");
        }

        var e = _pattern[_pos++];
        if (IsShorthandClass(e))
        {
            return false;
        }

        value = e == 'b' ? '\b' : EscapedChar(e);
        return true;
    }

    /// <summary><c>\d \D \w \W \s \S</c>: classes too large to enumerate.</summary>
    private static bool IsShorthandClass(char c) => c is 'd' or 'D' or 'w' or 'W' or 's' or 'S';
}
