using NumoTelemetry.Records;

namespace NumoTelemetry.Pseudonymization;

/// <summary>The pseudonymiser behind <see cref="IPseudonymLookup"/>.</summary>
internal sealed class PseudonymLookup(Pseudonymizer pseudonymizer) : IPseudonymLookup
{
    public int MaxValueLength => IdentifierNormalizer.MaxLength;

    public Pseudonym Pseudonymize(PseudonymKind kind, string value, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length > IdentifierNormalizer.MaxLength ? default : pseudonymizer.Pseudonymize(kind, value, at);
    }
}
