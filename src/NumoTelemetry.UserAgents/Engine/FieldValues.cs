using System.Runtime.CompilerServices;

namespace NumoTelemetry.UserAgents.Engine;

/// <summary>The up to five output fields of one matched rule, on the stack.</summary>
[InlineArray(Length)]
internal struct FieldValues
{
    /// <summary>The most fields any section has (OS: family and four version parts).</summary>
    public const int Length = 5;

    private string? _element;
}
