using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace NumoTelemetry.Privacy;

/// <summary>
/// The one rule for free text a client chooses that NumoTelemetry keeps: campaign values (<c>utm_source</c>,
/// <c>utm_medium</c>, <c>utm_campaign</c>), the referrer host, the language tag, the HTTP method and protocol, custom signal
/// names, and a replayed line's route. Capture applies it where the record's fields are finished, so the request log, the
/// dashboard, metrics, alerts and exports all hold the scrubbed value.
/// </summary>
/// <remarks>
/// <para>A value that is not printable ASCII, or that holds a <c>%XX</c> escape, is first read as a person would read it:
/// percent-encoding is decoded until it is stable (at most three levels, UTF-8 escapes as characters, so <c>%252540</c> is
/// <c>@</c>) and the text is NFKC-normalised (a fullwidth <c>＠</c> is <c>@</c>, a no-break space a space, fullwidth
/// digits digits); a value that is not well-formed text (a lone surrogate) is redacted. A value is replaced by
/// <see cref="Redacted"/> when, read so and with one more level of percent-encoding decoded, it holds:</para>
/// <list type="bullet">
/// <item>an e-mail address: an <c>@</c> after a letter, digit (any script) or one of <c>._%+-</c>, followed by a domain of
/// letters, digits and <c>-</c> with a dot (<c>jane.doe@example.com</c>, <c>jane@bücher.de</c>);</item>
/// <item>a long digit run: <see cref="MaxDigits"/> + 1 (7) or more digits, with up to three separators between each, a
/// separator being any space, dash, connector or other punctuation character (Unicode Zs, Pd, Pc, Po: <c>_ - – . , : /</c>
/// and others) or <c>( ) +</c> (<c>+44 7700 900123</c>, <c>(555) 123-4567</c>, <c>0770 - 090 - 0123</c>,
/// <c>+44_7700_900_123</c>, <c>20260315</c>, <c>192.168.100.20</c>);</item>
/// <item>an IPv6 address: five or more groups of one to four hexadecimal digits separated by <c>:</c>, with a digit
/// (<c>2a02:8071:2d85:6f00:211:22ff:fe33:4455</c>, <c>fe80::211:22ff:fe33:4455</c>);</item>
/// <item>a token: a run of letters, digits, <c>_</c> and <c>-</c> of 16 or more characters with two or more digits that
/// changes between lower case, upper case and digits at least once every three characters (random keys, base64,
/// JWT parts), or a run of 24 or more hexadecimal digits with dashes (UUIDs, hashes);</item>
/// <item>a secret written as <c>key=value</c> or <c>key:value</c>, with or without spaces around the <c>=</c> or <c>:</c>,
/// where the key's last <c>_</c>/<c>-</c> separated part
/// is <c>token</c>, <c>password</c>, <c>passwd</c>, <c>pwd</c>, <c>secret</c>, <c>key</c>, <c>apikey</c>, <c>sig</c>,
/// <c>signature</c>, <c>auth</c>, <c>authorization</c>, <c>bearer</c>, <c>session</c>, <c>sessionid</c>, <c>sid</c>,
/// <c>otp</c>, <c>jwt</c>, <c>credential</c> or <c>credentials</c> (<c>access_token=…</c>, <c>X-Api-Key:…</c>,
/// <c>password = …</c>);</item>
/// <item>more than <see cref="MaxScanLength"/> characters (not a name a site chose).</item>
/// </list>
/// <para>Any other value is kept, cut to <see cref="MaxLength"/> characters. Ordinary names pass: <c>spring_sale_2026</c>,
/// <c>newsletter</c>, <c>cpc</c>, <c>www.google.com</c>, <c>t.co</c>, <c>en-GB</c>, <c>zh-Hant-TW</c>,
/// <c>BlackFriday2026Newsletter</c>, <c>Frühjahr_Aktion</c>, <c>soldes-été</c>, <c>日本語キャンペーン</c>,
/// <c>[2001:db8::1]</c>. Known false positives: a campaign named with a full date (<c>2026-03-15</c>, 8 digits),
/// a number with thousands separators (<c>1,000,000</c>), a long camel-case name with digits or five colon-separated
/// hexadecimal words; name campaigns <c>2026-03</c> or <c>mar15</c> instead.</para>
/// <para>The method is one of the nine standard methods (case-sensitive, as OpenTelemetry's
/// <c>http.request.method</c>), any other becomes <see cref="OtherMethod"/>; the protocol is a known HTTP version or
/// <see cref="OtherMethod"/>.</para>
/// <para>One forward scan with no regular expression; a value that passes is returned as the same instance. A printable
/// ASCII value without an escape (the common case) is scanned without allocating; only the decoding and normalising of
/// the rest allocates.</para>
/// </remarks>
public static class FreeTextScrubber
{
    /// <summary>What a value that looked like personal data or a secret is replaced by.</summary>
    public const string Redacted = "(redacted)";

    /// <summary>A method (or protocol) that is not a standard one (OpenTelemetry's value for <c>http.request.method</c>).</summary>
    public const string OtherMethod = "_OTHER";

    /// <summary>Longest value kept (characters); a longer value that passes is cut.</summary>
    public const int MaxLength = 64;

    /// <summary>Longest value scanned; a longer one is replaced outright.</summary>
    public const int MaxScanLength = 1024;

    /// <summary>The most digits a kept value may have in one run (a phone number has more).</summary>
    public const int MaxDigits = 6;

    private const int MinTokenLength = 16;
    private const int MinHexDigits = 24;
    private const int MaxKeyLength = 24;
    private const int MaxDecodeLevels = 3;
    private const int MaxPhoneSeparators = 3;
    private const int MinIPv6Groups = 5;

    private static readonly SearchValues<char> PlainAscii = SearchValues.Create(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>
    /// <paramref name="value"/> itself when it passes and is at most <see cref="MaxLength"/> long, <see cref="Redacted"/>
    /// when it looks like personal data or a secret, else its first <see cref="MaxLength"/> characters.
    /// </summary>
    [return: NotNullIfNotNull(nameof(value))]
    public static string? Scrub(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return value;
        }

        if (IsSensitive(value))
        {
            return Redacted;
        }

        return value.Length <= MaxLength ? value : value[..CutLength(value)];
    }

    /// <summary>
    /// How much of <paramref name="value"/> is kept: its length cut to the cap, or -1 when it is to be replaced by
    /// <see cref="Redacted"/>. For callers that make the kept string themselves (see <c>InternedText.InternScrubbed</c>).
    /// </summary>
    public static int KeptLength(ReadOnlySpan<char> value) => IsSensitive(value) ? -1 : CutLength(value);

    /// <summary>The HTTP method as kept: one of the nine standard methods (the shared literal), else <see cref="OtherMethod"/>.</summary>
    public static string Method(string? method) => method switch
    {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "CONNECT" => "CONNECT",
        "OPTIONS" => "OPTIONS",
        "TRACE" => "TRACE",
        "PATCH" => "PATCH",
        _ => OtherMethod,
    };

    /// <summary>The protocol as kept: a known HTTP version (the shared literal), else <see cref="OtherMethod"/>.</summary>
    public static string Protocol(string? protocol) => protocol switch
    {
        "HTTP/1.1" => "HTTP/1.1",
        "HTTP/2" => "HTTP/2",
        "HTTP/3" => "HTTP/3",
        "HTTP/1.0" => "HTTP/1.0",
        "HTTP/2.0" => "HTTP/2.0",
        "HTTP/3.0" => "HTTP/3.0",
        _ => OtherMethod,
    };

    /// <summary>Whether <paramref name="value"/> looks like personal data or a secret (see the type's remarks).</summary>
    public static bool IsSensitive(ReadOnlySpan<char> value)
    {
        if (value.Length > MaxScanLength)
        {
            return true;
        }

        // The common value (printable ASCII, no escape) is scanned as it is; the rest is read as a person would see it.
        if (!value.ContainsAnyExcept(PlainAscii) && !HasEscape(value))
        {
            return Scan(value);
        }

        var normalised = Normalise(value);
        return normalised is null || Scan(normalised);
    }

    /// <summary>
    /// <paramref name="value"/> with percent-encoding decoded until it is stable (at most <see cref="MaxDecodeLevels"/>
    /// times, UTF-8 escapes read as characters) and then NFKC-normalised (<c>＠</c> is <c>@</c>, a no-break space a space,
    /// fullwidth digits digits); <see langword="null"/> when it is not well-formed text.
    /// </summary>
    private static string? Normalise(ReadOnlySpan<char> value)
    {
        var text = value.ToString();
        for (var level = 0; level < MaxDecodeLevels && HasEscape(text); level++)
        {
            var decoded = Uri.UnescapeDataString(text);
            if (decoded == text)
            {
                break;
            }

            text = decoded;
        }

        if (Ascii.IsValid(text))
        {
            return text;
        }

        try
        {
            return text.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            return null; // a lone surrogate: not a name a site chose
        }
    }

    private static bool HasEscape(ReadOnlySpan<char> value)
    {
        for (var i = value.IndexOf('%'); i >= 0; i = value.IndexOf('%'))
        {
            if (i + 2 < value.Length && char.IsAsciiHexDigit(value[i + 1]) && char.IsAsciiHexDigit(value[i + 2]))
            {
                return true;
            }

            value = value[(i + 1)..];
        }

        return false;
    }

    // Long because: a tight single-pass scanner: one state machine over the text's characters.
    [SkipLocalsInit]
    private static bool Scan(ReadOnlySpan<char> value)
    {

        // Digit runs.
        var digits = 0;
        var separators = 0;

        // E-mail: 0 none, 1 '@' after a local-part character, 2 a domain label, 3 a dot after it.
        var mail = 0;

        // Token run (letters, digits, '_', '-') and hexadecimal run (hex digits, '-').
        var tokenLength = 0;
        var tokenDigits = 0;
        var tokenChanges = 0;
        var previousClass = 0;
        var hexDigits = 0;
        var hexHasDigit = false;
        var hexHasLetter = false;

        // key=value: the current word, lower-cased, and whether a secret key was just followed by '=' or ':'.
        Span<char> word = stackalloc char[MaxKeyLength];
        var wordLength = 0;
        var wordOverflow = false;
        var secretPending = false;
        var secretKeyEnded = false;

        // IPv6: a run of 1-4 hexadecimal digit groups between ':'.
        var v6Groups = 0;
        var v6GroupLength = 0;
        var v6HasDigit = false;
        var v6Valid = true;

        var previous = '\0';
        for (var i = 0; i < value.Length; i++)
        {
            var c = Decoded(value, ref i);

            if (secretPending)
            {
                if (c is not (' ' or '"' or '\''))
                {
                    return true;
                }
            }

            // Digit runs across phone-number punctuation.
            if (char.IsDigit(c))
            {
                if (++digits > MaxDigits)
                {
                    return true;
                }

                separators = 0;
            }
            else if (digits > 0 && IsPhoneSeparator(c) && ++separators <= MaxPhoneSeparators)
            {
                // still the same number
            }
            else
            {
                digits = 0;
                separators = 0;
            }

            // E-mail.
            switch (mail)
            {
                case 0 when c == '@' && IsLocalPart(previous):
                    mail = 1;
                    break;
                case 1 or 2 when char.IsLetterOrDigit(c) || c == '-':
                    mail = 2;
                    break;
                case 2 when c == '.':
                    mail = 3;
                    break;
                case 3 when char.IsLetter(c):
                    return true;
                case 3 when char.IsDigit(c) || c == '-':
                    mail = 2; // a label that starts with a digit: the domain goes on
                    break;
                case 0:
                    break;
                default:
                    mail = c == '@' && IsLocalPart(previous) ? 1 : 0;
                    break;
            }

            // Tokens.
            var cls = c switch
            {
                >= 'a' and <= 'z' => 1,
                >= 'A' and <= 'Z' => 2,
                >= '0' and <= '9' => 3,
                '_' or '-' => 0,
                _ => -1,
            };
            if (cls >= 0)
            {
                tokenLength++;
                if (cls == 3)
                {
                    tokenDigits++;
                }

                if (cls != 0 && previousClass != 0 && cls != previousClass)
                {
                    tokenChanges++;
                }

                previousClass = cls;
            }
            else
            {
                if (IsToken(tokenLength, tokenDigits, tokenChanges))
                {
                    return true;
                }

                tokenLength = tokenDigits = tokenChanges = previousClass = 0;
            }

            if (char.IsAsciiHexDigit(c))
            {
                hexDigits++;
                hexHasDigit |= c <= '9';
                hexHasLetter |= c > '9';
            }
            else if (c != '-')
            {
                if (hexDigits >= MinHexDigits && hexHasDigit && hexHasLetter)
                {
                    return true;
                }

                hexDigits = 0;
                hexHasDigit = hexHasLetter = false;
            }

            // IPv6 addresses.
            if (char.IsAsciiHexDigit(c))
            {
                v6Valid &= ++v6GroupLength <= 4;
                v6HasDigit |= c <= '9';
            }
            else if (c == ':')
            {
                v6Groups += v6GroupLength > 0 ? 1 : 0;
                v6GroupLength = 0;
            }
            else
            {
                if (IsIPv6(v6Groups, v6GroupLength, v6HasDigit, v6Valid))
                {
                    return true;
                }

                v6Groups = v6GroupLength = 0;
                v6HasDigit = false;
                v6Valid = true;
            }

            // key=value secrets (spaces may stand around the '=' or ':').
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            {
                secretKeyEnded = false;
                if (wordLength < MaxKeyLength)
                {
                    word[wordLength++] = char.ToLowerInvariant(c);
                }
                else
                {
                    wordOverflow = true;
                }
            }
            else if (!secretPending) // (a pending secret is waiting past spaces or quotes for its value)
            {
                var secretKey = secretKeyEnded || (wordLength > 0 && !wordOverflow && IsSecretKey(word[..wordLength]));
                secretPending = c is '=' or ':' && secretKey;
                secretKeyEnded = c == ' ' && secretKey;
                wordLength = 0;
                wordOverflow = false;
            }

            previous = c;
        }

        return IsToken(tokenLength, tokenDigits, tokenChanges) || (hexDigits >= MinHexDigits && hexHasDigit && hexHasLetter)
            || IsIPv6(v6Groups, v6GroupLength, v6HasDigit, v6Valid);
    }

    private static bool IsIPv6(int groups, int groupLength, bool hasDigit, bool valid) =>
        valid && hasDigit && groups + (groupLength > 0 ? 1 : 0) >= MinIPv6Groups;

    /// <summary>Whether <paramref name="c"/> may stand between the digits of one phone number.</summary>
    private static bool IsPhoneSeparator(char c) => c is '(' or ')' or '+' or '.' or '/' || char.GetUnicodeCategory(c) is
        UnicodeCategory.SpaceSeparator or UnicodeCategory.DashPunctuation or UnicodeCategory.ConnectorPunctuation
        or UnicodeCategory.OtherPunctuation;

    /// <summary>The character at <paramref name="i"/>, with a <c>%XX</c> escape decoded (<paramref name="i"/> then moves to its last character).</summary>
    private static char Decoded(ReadOnlySpan<char> value, ref int i)
    {
        var c = value[i];
        if (c == '%' && i + 2 < value.Length && char.IsAsciiHexDigit(value[i + 1]) && char.IsAsciiHexDigit(value[i + 2]))
        {
            c = (char)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2]));
            i += 2;
        }

        return c;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static bool IsLocalPart(char c) => char.IsLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-';

    private static bool IsToken(int length, int digits, int changes) =>
        length >= MinTokenLength && digits >= 2 && changes * 3 >= length;

    /// <summary>Whether the last <c>_</c>/<c>-</c> separated part of <paramref name="key"/> (lower case) names a secret.</summary>
    private static bool IsSecretKey(ReadOnlySpan<char> key)
    {
        var cut = key.LastIndexOfAny('_', '-');
        var part = cut >= 0 ? key[(cut + 1)..] : key;
        return part switch
        {
            "token" or "password" or "passwd" or "pwd" or "secret" or "key" or "apikey" or "sig" or "signature" or "auth"
                or "authorization" or "bearer" or "session" or "sessionid" or "sid" or "otp" or "jwt" or "credential" or "credentials" => true,
            _ => false,
        };
    }

    /// <summary>How much of <paramref name="value"/> is kept: at most <see cref="MaxLength"/>, not splitting a surrogate pair.</summary>
    private static int CutLength(ReadOnlySpan<char> value)
    {
        if (value.Length <= MaxLength)
        {
            return value.Length;
        }

        return char.IsHighSurrogate(value[MaxLength - 1]) ? MaxLength - 1 : MaxLength;
    }
}
