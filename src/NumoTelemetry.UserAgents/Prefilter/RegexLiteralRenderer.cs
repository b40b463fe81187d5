using System.Text;

namespace NumoTelemetry.UserAgents.Prefilter;

/// <summary>
/// Renders a readable name from a crawler pattern: the longest literal run of its first alternative,
/// for example <c>Googlebot</c> from <c>Googlebot\/</c> or <c>AhrefsBot</c> from <c>Ahrefs(Bot|SiteAudit)</c>.
/// </summary>
internal static class RegexLiteralRenderer
{
    private const string TrimChars = " /-_;:,()+.\\";

    /// <summary>Returns the name, or <see langword="null"/> when the pattern has no literal of two or more characters.</summary>
    public static string? Render(string pattern)
    {
        RegexNode root;
        try
        {
            root = RegexSyntaxParser.Parse(pattern);
        }
        catch (FormatException)
        {
            return null;
        }

        var segments = new List<string>();
        var current = new StringBuilder();
        Render(root, current, segments);
        Flush(current, segments);
        string? best = null;
        foreach (var segment in segments)
        {
            var trimmed = segment.Trim(TrimChars.ToCharArray());
            if (trimmed.Length >= 2 && (best is null || trimmed.Length > best.Length))
            {
                best = trimmed;
            }
        }

        return best;
    }

    private static void Render(RegexNode node, StringBuilder current, List<string> segments)
    {
        switch (node.Kind)
        {
            case RegexNodeKind.Literal:
                current.Append(node.Char);
                break;
            case RegexNodeKind.CharSet:
                current.Append(node.Chars[0]);
                break;
            case RegexNodeKind.Empty:
                break;
            case RegexNodeKind.Concat:
                foreach (var child in node.Children)
                {
                    Render(child, current, segments);
                }

                break;
            case RegexNodeKind.Alternate:
                Render(node.Children[0], current, segments);
                break;
            case RegexNodeKind.Repeat when node.Min >= 1:
                Render(node.Children[0], current, segments);
                Flush(current, segments);
                break;
            default:
                Flush(current, segments);
                break;
        }
    }

    private static void Flush(StringBuilder current, List<string> segments)
    {
        if (current.Length > 0)
        {
            segments.Add(current.ToString());
            current.Clear();
        }
    }
}
