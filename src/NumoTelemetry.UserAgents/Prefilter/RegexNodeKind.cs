namespace NumoTelemetry.UserAgents.Prefilter;

/// <summary>The node kinds of the small regular-expression syntax tree used to derive literal atoms.</summary>
internal enum RegexNodeKind
{
    /// <summary>One literal character.</summary>
    Literal,

    /// <summary>A character class with a known, small set of members (<see cref="RegexNode.Chars"/>).</summary>
    CharSet,

    /// <summary>Any character of a large or unknown set: <c>.</c>, <c>\d</c>, <c>[^x]</c>, <c>[a-z]</c>, a back-reference.</summary>
    AnyChar,

    /// <summary>A zero-width assertion or an empty alternative: <c>^</c>, <c>$</c>, <c>\b</c>, look-arounds.</summary>
    Empty,

    /// <summary>A sequence.</summary>
    Concat,

    /// <summary>An alternation.</summary>
    Alternate,

    /// <summary>A repetition of <see cref="RegexNode.Children"/>[0] between <see cref="RegexNode.Min"/> and <see cref="RegexNode.Max"/> times.</summary>
    Repeat,
}
