namespace NumoTelemetry.Dashboard.Query.Models;

/// <summary>One released row of a list: a value with its count and visitors, or suppressed (both <see langword="null"/>).</summary>
/// <param name="Label">The value.</param>
/// <param name="Value">The count (page views, requests, visits or events).</param>
/// <param name="Visitors">Unique visitors.</param>
/// <param name="Suppressed">Withheld.</param>
/// <param name="PreviousValue">With <c>compare=</c>: the value in the compared period, when it was released there.</param>
/// <param name="Change">With <c>compare=</c>: the relative change from the compared period (0.25 is +25 %).</param>
/// <param name="ConversionRate">Goals and events: unique visitors over the range's unique visitors.</param>
internal sealed record TopRow(string Label, long? Value, long? Visitors, bool Suppressed, long? PreviousValue = null, double? Change = null, double? ConversionRate = null);
