using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Capture;

/// <summary>
/// One-time-code numbers on entry (<c>RequestSignals.OtpRequested/OtpVerified</c>): normalised to E.164 with the site's default calling
/// code, pseudonymised like user names, and split into what may stay in clear — the country calling code and a few leading digits
/// (<c>Capture:PhonePrefixDigits</c>, never leaving fewer than <see cref="MinHiddenDigits"/> digits hidden) — and a keyed hash of the
/// number's block of 100 consecutive numbers. The raw number is never kept.
/// </summary>
internal sealed class PhoneNumbers
{
    /// <summary>Digits of every number that never appear in clear.</summary>
    public const int MinHiddenDigits = 4;

    private readonly Pseudonymizer _pseudonymizer;
    private readonly string? _callingCode;
    private readonly int _prefixDigits;
    private readonly IRiskProvider _risk;

    public PhoneNumbers(Pseudonymizer pseudonymizer, NumoTelemetryOptions options, IRiskProvider risk)
    {
        _pseudonymizer = pseudonymizer;
        _callingCode = options.Capture.DefaultCountryCallingCode;
        _prefixDigits = options.Capture.PhonePrefixDigits;
        _risk = risk;
    }

    /// <summary>
    /// Sets the record's number, prefix, calling code and block from <paramref name="raw"/>; <see langword="false"/> (and nothing set)
    /// when it is not a plausible number.
    /// </summary>
    public bool Capture(ReadOnlySpan<char> raw, DateTimeOffset at, ref RequestRecord record)
    {
        Span<char> e164 = stackalloc char[16];
        var n = IdentifierNormalizer.NormalizePhone(raw, _callingCode, e164);
        if (n == 0)
        {
            return false;
        }

        var number = e164[..n];
        var codeLength = CallingCodeLength(number);
        var kept = Math.Clamp(Math.Min(_prefixDigits, n - codeLength - MinHiddenDigits), 0, 8);
        record.OtpPhone = _pseudonymizer.PseudonymizeNormalized(PseudonymKind.Phone, number, at, PseudonymScope.Fraud);
        record.OtpPrefix = ulong.Parse(number[..(codeLength + kept)], provider: System.Globalization.CultureInfo.InvariantCulture);
        record.OtpCallingCode = ulong.Parse(number[..codeLength], provider: System.Globalization.CultureInfo.InvariantCulture);

        // The block: the number without its last two digits, marked so it can never equal a number's own pseudonym.
        Span<char> block = stackalloc char[17];
        number[..(n - 2)].CopyTo(block);
        block[n - 2] = 'x';
        block[n - 1] = 'x';
        record.OtpBlock = _pseudonymizer.PseudonymizeNormalized(PseudonymKind.Phone, block[..n], at, PseudonymScope.Fraud).Hash64;
        return true;
    }

    /// <summary>Raises <paramref name="record"/>'s risk to its number prefix's, when that is higher (read from the risk cache, no allocation).</summary>
    public void AddPrefixRisk(ref RequestRecord record)
    {
        if (_risk is IPhonePrefixRisk source && record.OtpPrefix != 0)
        {
            var prefix = source.GetPhonePrefixRisk(record.OtpPrefix, record.Timestamp);
            if (prefix.Score > record.Risk.Score)
            {
                record.Risk = prefix;
            }
        }
    }

    /// <summary>
    /// The length of the ITU-T E.164 country calling code at the start of <paramref name="digits"/>: 1 for the North American plan (1)
    /// and Russia/Kazakhstan (7), 2 for the two-digit codes, 3 for all others (calling codes are prefix-free).
    /// </summary>
    public static int CallingCodeLength(ReadOnlySpan<char> digits)
    {
        if (digits.Length < 3)
        {
            return Math.Max(1, digits.Length);
        }

        var first = digits[0];
        if (first is '1' or '7')
        {
            return 1;
        }

        var two = ((first - '0') * 10) + (digits[1] - '0');
        return two switch
        {
            20 or 27 or 30 or 31 or 32 or 33 or 34 or 36 or 39 or 40 or 41 or 43 or 44 or 45 or 46 or 47 or 48 or 49 => 2,
            51 or 52 or 53 or 54 or 55 or 56 or 57 or 58 => 2,
            60 or 61 or 62 or 63 or 64 or 65 or 66 => 2,
            81 or 82 or 84 or 86 => 2,
            90 or 91 or 92 or 93 or 94 or 95 or 98 => 2,
            _ => 3,
        };
    }
}

/// <summary>A risk provider that also knows the risk of phone number prefixes (the fraud engine's, see <c>CachedRiskProvider</c>).</summary>
internal interface IPhonePrefixRisk
{
    /// <summary>The decayed risk of the prefix <paramref name="digits"/> (calling code and leading digits as one number) at <paramref name="at"/>.</summary>
    RequestRisk GetPhonePrefixRisk(ulong digits, DateTimeOffset at);
}
