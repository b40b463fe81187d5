using System.Text;

namespace NumoTelemetry.Pseudonymization;

/// <summary>
/// Canonical forms of identifiers before hashing, so that <c>Alice@Example.com </c> and
/// <c>alice@example.com</c> get one pseudonym. Shared by the middleware, the signals API and the
/// <c>numo pseudonymize</c> tool, so an investigator's pseudonym matches the alerts'.
/// </summary>
internal static class IdentifierNormalizer
{
    /// <summary>The longest identifier kept (characters); longer ones are cut.</summary>
    public const int MaxLength = 256;

    /// <summary>
    /// Writes the canonical form of a user name or e-mail (trimmed, lower-cased invariantly,
    /// Unicode NFC) into <paramref name="destination"/> (at least <see cref="MaxLength"/> chars); returns its length.
    /// </summary>
    public static int NormalizeAccount(ReadOnlySpan<char> value, Span<char> destination)
    {
        value = value.Trim();
        if (value.Length > MaxLength)
        {
            value = value[..MaxLength];
        }

        if (!Ascii.IsValid(value))
        {
            // Rare: non-ASCII names need Unicode normalisation (allocates).
            var normalized = value.ToString().Normalize(NormalizationForm.FormC);
            if (normalized.Length > destination.Length)
            {
                normalized = normalized[..destination.Length];
            }

            return normalized.AsSpan().ToLowerInvariant(destination);
        }

        return value.ToLowerInvariant(destination);
    }

    /// <summary>
    /// Normalises a phone number to E.164 digits without the plus (for example <c>447700900123</c>):
    /// strips spaces, dashes, dots and parentheses; <c>+</c> or <c>00</c> starts an international
    /// number; a national number (leading <c>0</c>) gets <paramref name="defaultCountryCallingCode"/>.
    /// Returns the length, or 0 when the value is not a plausible number (8 to 15 digits).
    /// </summary>
    // Long because: a tight single-pass normaliser of a phone number's characters.
    public static int NormalizePhone(ReadOnlySpan<char> value, ReadOnlySpan<char> defaultCountryCallingCode, Span<char> destination)
    {
        value = value.Trim();
        if (value.IsEmpty || value.Length > 40 || destination.Length < 15)
        {
            return 0;
        }

        Span<char> digits = stackalloc char[40];
        var n = 0;
        var international = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsAsciiDigit(c))
            {
                digits[n++] = c;
            }
            else if (c == '+' && n == 0 && !international)
            {
                international = true;
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')' or '/'))
            {
                return 0;
            }
        }

        ReadOnlySpan<char> number = digits[..n];
        if (!international && number.StartsWith("00"))
        {
            international = true;
            number = number[2..];
        }

        var length = 0;
        if (!international)
        {
            if (defaultCountryCallingCode.IsEmpty)
            {
                // Carrier headers usually send the full number without '+': accept 11-15 digits not starting with 0.
                if (number.Length < 11 || number[0] == '0')
                {
                    return 0;
                }
            }
            else
            {
                // A national trunk 0 means a national number: the calling code always goes in front, even when
                // the rest happens to begin with the code's digits ('0491234567' with 49 is +49491234567).
                // Without it, digits that begin with the code are taken as the full number sent without '+'.
                var national = number.StartsWith("0");
                if (national)
                {
                    number = number[1..];
                }

                if (national || !number.StartsWith(defaultCountryCallingCode))
                {
                    defaultCountryCallingCode.CopyTo(destination);
                    length = defaultCountryCallingCode.Length;
                }
            }
        }

        if (length + number.Length > 15 || length + number.Length < 8 || (length == 0 && number[0] == '0'))
        {
            return 0;
        }

        number.CopyTo(destination[length..]);
        return length + number.Length;
    }
}
