namespace NumoTelemetry.UserAgents.Prefilter;

/// <summary>A node of the syntax tree built by <see cref="RegexSyntaxParser"/>.</summary>
internal sealed class RegexNode
{
    private RegexNode(RegexNodeKind kind)
    {
        Kind = kind;
    }

    /// <summary>The kind of node.</summary>
    public RegexNodeKind Kind { get; }

    /// <summary>The character of a <see cref="RegexNodeKind.Literal"/>.</summary>
    public char Char { get; private init; }

    /// <summary>The members of a <see cref="RegexNodeKind.CharSet"/>.</summary>
    public string Chars { get; private init; } = string.Empty;

    /// <summary>The children of a concatenation, alternation or repetition.</summary>
    public IReadOnlyList<RegexNode> Children { get; private init; } = [];

    /// <summary>Minimum count of a repetition.</summary>
    public int Min { get; private init; }

    /// <summary>Maximum count of a repetition; <see cref="int.MaxValue"/> for unbounded.</summary>
    public int Max { get; private init; }

    public static RegexNode Literal(char c) => new(RegexNodeKind.Literal) { Char = c };

    public static RegexNode Set(string chars) => new(RegexNodeKind.CharSet) { Chars = chars };

    public static RegexNode Any { get; } = new(RegexNodeKind.AnyChar);

    public static RegexNode Empty { get; } = new(RegexNodeKind.Empty);

    public static RegexNode Concat(IReadOnlyList<RegexNode> children) =>
        children.Count == 1 ? children[0] : new(RegexNodeKind.Concat) { Children = children };

    public static RegexNode Alternate(IReadOnlyList<RegexNode> children) =>
        children.Count == 1 ? children[0] : new(RegexNodeKind.Alternate) { Children = children };

    public static RegexNode Repeat(RegexNode child, int min, int max) =>
        new(RegexNodeKind.Repeat) { Children = [child], Min = min, Max = max };
}
