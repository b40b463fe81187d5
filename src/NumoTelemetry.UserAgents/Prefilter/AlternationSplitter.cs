namespace NumoTelemetry.UserAgents.Prefilter;

/// <summary>
/// Splits a rule whose regex is one big alternation (<c>A|B|...</c>, or <c>prefix(A|B|...)suffix</c> with
/// an unquantified group) into one search pattern per branch: <c>prefix(?:A)suffix</c>, ... The rule
/// matches at a position exactly when one of the branch patterns does, so the leftmost match of the rule
/// starts at the smallest leftmost start of its branches. Each branch gets its own prefilter atoms, so
/// only the branches whose literals occur in a User-Agent run, instead of a scan that tries every branch
/// at every position. Captures come from the whole rule's extraction regex at that start, as before.
/// </summary>
internal static class AlternationSplitter
{
    /// <summary>Alternations with fewer branches are left whole.</summary>
    public const int MinBranches = 8;

    /// <summary>
    /// Returns the branch search patterns of <paramref name="pattern"/>, or <see langword="null"/> when it is
    /// not a large enough alternation or uses syntax the split does not handle (backreferences).
    /// </summary>
    // Long because: a tight regex-syntax scanner over one pattern, tracking depth, classes and escapes.
    public static string[]? Split(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (HasBackreference(pattern))
        {
            return null;
        }

        // A top-level alternation: the branches as they are.
        var top = TopLevelBars(pattern, 0, pattern.Length);
        if (top is null)
        {
            return null;
        }

        if (top.Count > 0)
        {
            return top.Count + 1 >= MinBranches ? Slice(pattern, 0, pattern.Length, top, string.Empty, string.Empty) : null;
        }

        // Otherwise the first top-level group, unquantified, that holds an alternation.
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                i++;
                continue;
            }

            if (c == '[')
            {
                i = ClassEnd(pattern, i);
                if (i < 0)
                {
                    return null;
                }

                continue;
            }

            if (c != '(')
            {
                continue;
            }

            var close = GroupEnd(pattern, i);
            if (close < 0)
            {
                return null;
            }

            var contentStart = i + 1;
            var plain = !(contentStart < pattern.Length && pattern[contentStart] == '?');
            if (!plain && contentStart + 1 < pattern.Length && pattern[contentStart + 1] == ':')
            {
                contentStart += 2;
                plain = true;
            }

            var quantified = close + 1 < pattern.Length && pattern[close + 1] is '?' or '*' or '+' or '{';
            if (plain && !quantified)
            {
                var bars = TopLevelBars(pattern, contentStart, close);
                if (bars is null)
                {
                    return null;
                }

                if (bars.Count + 1 >= MinBranches)
                {
                    return Slice(pattern, contentStart, close, bars, pattern[..i] + "(?:", ")" + pattern[(close + 1)..]);
                }
            }

            i = close;
        }

        return null;
    }

    private static string[] Slice(string pattern, int start, int end, List<int> bars, string prefix, string suffix)
    {
        var result = new string[bars.Count + 1];
        var from = start;
        for (var b = 0; b <= bars.Count; b++)
        {
            var to = b < bars.Count ? bars[b] : end;
            result[b] = prefix + pattern[from..to] + suffix;
            from = to + 1;
        }

        return result;
    }

    /// <summary>The positions of the <c>|</c> at depth 0 of <paramref name="pattern"/>[start..end]; null when malformed.</summary>
    private static List<int>? TopLevelBars(string pattern, int start, int end)
    {
        var bars = new List<int>();
        var depth = 0;
        for (var i = start; i < end; i++)
        {
            switch (pattern[i])
            {
                case '\\':
                    i++;
                    break;
                case '[':
                    i = ClassEnd(pattern, i);
                    if (i < 0 || i >= end)
                    {
                        return null;
                    }

                    break;
                case '(':
                    depth++;
                    break;
                case ')':
                    if (--depth < 0)
                    {
                        return null;
                    }

                    break;
                case '|' when depth == 0:
                    bars.Add(i);
                    break;
            }
        }

        return depth == 0 ? bars : null;
    }

    /// <summary>The index of the <c>)</c> closing the group opened at <paramref name="open"/>, or -1.</summary>
    private static int GroupEnd(string pattern, int open)
    {
        var depth = 0;
        for (var i = open; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\':
                    i++;
                    break;
                case '[':
                    i = ClassEnd(pattern, i);
                    if (i < 0)
                    {
                        return -1;
                    }

                    break;
                case '(':
                    depth++;
                    break;
                case ')':
                    if (--depth == 0)
                    {
                        return i;
                    }

                    break;
            }
        }

        return -1;
    }

    /// <summary>The index of the <c>]</c> closing the class opened at <paramref name="open"/>, or -1.</summary>
    private static int ClassEnd(string pattern, int open)
    {
        var i = open + 1;
        if (i < pattern.Length && pattern[i] == '^')
        {
            i++;
        }

        if (i < pattern.Length && pattern[i] == ']')
        {
            i++; // a leading ']' is literal in .NET
        }

        for (; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\')
            {
                i++;
            }
            else if (pattern[i] == ']')
            {
                return i;
            }
        }

        return -1;
    }

    private static bool HasBackreference(string pattern)
    {
        for (var i = 0; i + 1 < pattern.Length; i++)
        {
            if (pattern[i] == '\\')
            {
                var next = pattern[i + 1];
                if (next is (>= '1' and <= '9') or 'k')
                {
                    return true;
                }

                i++;
            }
        }

        return false;
    }
}
