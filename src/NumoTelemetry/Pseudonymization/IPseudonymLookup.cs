using NumoTelemetry.Records;

namespace NumoTelemetry.Pseudonymization;

/// <summary>
/// Computes the pseudonym a raw value had at a given time under the live keys, as capture computed it (the key holder's
/// "compelled by law" path: a fraud investigator's audited lookup, <c>numo pseudonymize</c>). The value is neither kept nor logged.
/// </summary>
public interface IPseudonymLookup
{
    /// <summary>The longest value accepted (longer values give an empty pseudonym).</summary>
    int MaxValueLength { get; }

    /// <summary>The pseudonym of <paramref name="value"/> as <paramref name="kind"/> at <paramref name="at"/> (fraud scope), or empty when the value is not one.</summary>
    /// <param name="kind">What the value is.</param>
    /// <param name="value">The raw value.</param>
    /// <param name="at">When (the key and window in force then).</param>
    /// <returns>The pseudonym, or <see cref="Pseudonym"/>'s empty value.</returns>
    Pseudonym Pseudonymize(PseudonymKind kind, string value, DateTimeOffset at);
}
