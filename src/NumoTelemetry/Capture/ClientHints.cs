using System.Collections.Concurrent;
using NumoTelemetry.Internal;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Capture;

/// <summary>
/// User-Agent Client Hints (<c>Sec-CH-UA</c>, <c>Sec-CH-UA-Mobile</c>, <c>Sec-CH-UA-Platform</c>, <c>Sec-CH-UA-Platform-Version</c>,
/// <c>Sec-CH-UA-Model</c>): parsed as RFC 8941 structured headers within fixed bounds (a value over <see cref="MaxHeaderLength"/>
/// characters, more than <see cref="MaxBrands"/> brands or a malformed item is ignored, never partly trusted), merged into the parsed
/// browser, OS and device (Chrome reduces its User-Agent: every Android phone reads "Android 10; K", Windows 11 reads "Windows NT 10.0"),
/// and checked against the User-Agent: a browser that sends hints but calls itself Safari or Firefox, another platform, or another mobile
/// flag is a mismatch (a bot risk factor). Kept values are scrubbed and interned; merged results are cached per distinct combination.
/// </summary>
internal sealed class ClientHints
{
    /// <summary>The longest header value read.</summary>
    public const int MaxHeaderLength = 512;

    /// <summary>The most brands read from <c>Sec-CH-UA</c>.</summary>
    public const int MaxBrands = 8;

    private const int MaxCached = 4_096;

    private readonly BoundedInterner _interner = new(1_024, InternedText.MaxLowerAsciiLength);
    private readonly ConcurrentDictionary<string, Merged> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Merged>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private int _added; // entries added since the cache was last cleared

    public ClientHints() => _lookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The merges held (at most 4,096).</summary>
    internal int Cached => _cache.Count;

    /// <summary>The merged result of one combination of User-Agent and hints.</summary>
    public sealed record Merged(UserAgentInfo Info, bool Mismatch);

    /// <summary>
    /// Merges the hints into <paramref name="parsed"/> (the User-Agent's parse of <paramref name="userAgent"/>); <see langword="null"/>
    /// when no usable hint was sent.
    /// </summary>
    public Merged? Merge(UserAgentInfo parsed, string? userAgent, string? brands, string? mobile, string? platform, string? platformVersion, string? model)
    {
        if (brands is null && platform is null && mobile is null)
        {
            return null; // not a Chromium browser (or hints stripped): nothing to merge or compare
        }

        if (userAgent?.Length > MaxHeaderLength)
        {
            return Compute(parsed, brands, mobile, platform, platformVersion, model); // a key would not tell long User-Agents apart
        }

        // One cache key of all inputs (bounded: a longer hint is ignored, see Bounded).
        Span<char> buffer = stackalloc char[(MaxHeaderLength * 6) + 8];
        var length = 0;
        Append(buffer, ref length, userAgent);
        Append(buffer, ref length, brands);
        Append(buffer, ref length, mobile);
        Append(buffer, ref length, platform);
        Append(buffer, ref length, platformVersion);
        Append(buffer, ref length, model);
        var key = buffer[..length];
        if (_lookup.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var merged = Compute(parsed, brands, mobile, platform, platformVersion, model);
        // Counted here, not by ConcurrentDictionary.Count: that takes every lock of the dictionary, and a client sending new
        // hints on every request would pay for it (and hold up other threads) on each miss.
        if (Interlocked.Increment(ref _added) > MaxCached)
        {
            Volatile.Write(ref _added, 1);
            _cache.Clear();
        }

        _cache.TryAdd(key.ToString(), merged);
        return merged;
    }

    private static void Append(Span<char> buffer, ref int length, string? value)
    {
        var text = value is null ? "\u0002".AsSpan() : value.AsSpan(0, Math.Min(value.Length, MaxHeaderLength));
        text.CopyTo(buffer[length..]);
        length += text.Length;
        buffer[length++] = '\u0001';
    }

    private Merged Compute(UserAgentInfo parsed, string? brandsHeader, string? mobileHeader, string? platformHeader, string? platformVersionHeader, string? modelHeader)
    {
        var brand = default(ReadOnlySpan<char>);
        var major = default(ReadOnlySpan<char>);
        var hasBrands = brandsHeader is not null && TryBrand(Bounded(brandsHeader), out brand, out major);
        var mobile = mobileHeader is null ? -1 : Boolean(Bounded(mobileHeader));
        var platform = platformHeader is not null && TryString(Bounded(platformHeader), out var p) ? p : default;
        var platformVersion = platformVersionHeader is not null && TryString(Bounded(platformVersionHeader), out var v) ? v : default;
        var model = modelHeader is not null && TryString(Bounded(modelHeader), out var m) ? m : default;

        var mismatch = Mismatch(parsed, hasBrands, mobile, platform);
        var browser = parsed.Browser;
        if (hasBrands && !mismatch && BrowserFamily(brand) is { } family)
        {
            browser = new VersionedFamily(family, _interner.InternScrubbed(major, lowerAscii: false), null, null, null);
        }

        var os = parsed.Os;
        if (!platform.IsEmpty && !mismatch)
        {
            os = Os(platform, platformVersion) ?? os;
        }

        var device = parsed.Device;
        var deviceType = parsed.DeviceType;
        if (!mismatch)
        {
            if (!model.IsEmpty)
            {
                var name = _interner.InternScrubbed(model, lowerAscii: false);
                device = new DeviceInfo(name, device.Brand, name);
            }

            if (mobile == 1 && deviceType != DeviceTypes.Tablet)
            {
                deviceType = DeviceTypes.Mobile;
            }
        }

        var info = ReferenceEquals(browser, parsed.Browser) && ReferenceEquals(os, parsed.Os) && ReferenceEquals(device, parsed.Device) && deviceType == parsed.DeviceType
            ? parsed
            : new UserAgentInfo(browser, os, device, parsed.Bot, deviceType, parsed.IsOversized);
        return new Merged(info, mismatch);
    }

    private static ReadOnlySpan<char> Bounded(string value) => value.Length > MaxHeaderLength ? default : value.AsSpan().Trim();

    /// <summary>
    /// Whether the hints contradict the User-Agent: hints come from Chromium browsers only, so a User-Agent of Safari or Firefox with
    /// them is made up; so is another platform, or another mobile flag.
    /// </summary>
    private static bool Mismatch(UserAgentInfo parsed, bool hasBrands, int mobile, ReadOnlySpan<char> platform)
    {
        var browser = parsed.Browser.Family;
        if (hasBrands && browser is "Safari" or "Mobile Safari" or "Firefox" or "Firefox Mobile" or "Firefox iOS" or "IE" or "IE Mobile")
        {
            return true;
        }

        var os = parsed.Os.Family;
        if (!platform.IsEmpty && os is not "Other" && !PlatformMatches(platform, os))
        {
            return true;
        }

        return (mobile == 1 && parsed.DeviceType == DeviceTypes.Desktop) || (mobile == 0 && parsed.DeviceType == DeviceTypes.Mobile);
    }

    private static bool PlatformMatches(ReadOnlySpan<char> platform, string os) => platform switch
    {
        "Windows" => os.StartsWith("Windows", StringComparison.Ordinal),
        "Android" => os == "Android",
        "macOS" => os is "Mac OS X" or "macOS",
        "iOS" => os is "iOS" or "iPadOS",
        "Chrome OS" or "Chromium OS" => os is "Chrome OS" or "Chromium OS" or "Linux",
        "Linux" => os is not ("Windows" or "Android" or "Mac OS X" or "macOS" or "iOS" or "iPadOS") && !os.StartsWith("Windows", StringComparison.Ordinal),
        _ => true, // a platform the table does not know: no judgement
    };

    private static string? BrowserFamily(ReadOnlySpan<char> brand) => brand switch
    {
        "Google Chrome" => "Chrome",
        "Microsoft Edge" => "Edge",
        "Opera" => "Opera",
        "Brave" => "Brave",
        "Samsung Internet" => "Samsung Internet",
        "YaBrowser" => "Yandex Browser",
        "Vivaldi" => "Vivaldi",
        "Chromium" => "Chromium",
        _ => null,
    };

    private VersionedFamily? Os(ReadOnlySpan<char> platform, ReadOnlySpan<char> version)
    {
        var dot = version.IndexOf('.');
        var major = dot < 0 ? version : version[..dot];
        var rest = dot < 0 ? default : version[(dot + 1)..];
        var dot2 = rest.IndexOf('.');
        var minor = dot2 < 0 ? rest : rest[..dot2];
        if (major.Length > 3 || !int.TryParse(major, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            number = -1;
        }

        return platform switch
        {
            // Windows: platform version 13 and up is Windows 11, 1-10 Windows 10, 0 an older one.
            "Windows" => new VersionedFamily("Windows", number >= 13 ? "11" : number >= 1 ? "10" : null, null, null, null),
            "Android" => new VersionedFamily("Android", number >= 0 ? _interner.Intern(major) : null, minor.IsEmpty || minor.Length > 3 ? null : _interner.Intern(minor), null, null),
            "macOS" => new VersionedFamily("Mac OS X", number >= 0 ? _interner.Intern(major) : null, minor.IsEmpty || minor.Length > 3 ? null : _interner.Intern(minor), null, null),
            "Chrome OS" or "Chromium OS" => new VersionedFamily("Chrome OS", null, null, null, null),
            "Linux" => new VersionedFamily("Linux", null, null, null, null),
            _ => null,
        };
    }

    /// <summary>
    /// The significant brand of an <c>sf-list</c> of <c>sf-string</c>s with a <c>v</c> parameter: the first that is neither a GREASE
    /// brand ("Not A(Brand" and the like) nor the generic "Chromium" when a more specific one follows. False when malformed.
    /// </summary>
    public static bool TryBrand(ReadOnlySpan<char> value, out ReadOnlySpan<char> brand, out ReadOnlySpan<char> major)
    {
        brand = default;
        major = default;
        var count = 0;
        var found = false;
        var pos = 0;
        while (pos < value.Length)
        {
            if (++count > MaxBrands || !TryItem(value, ref pos, out var name, out var version))
            {
                return false;
            }

            var nameText = value.Slice(name.Start, name.Length);
            if (IsGrease(nameText) || (found && nameText is "Chromium"))
            {
                continue;
            }

            if (!found || brand is "Chromium")
            {
                brand = nameText;
                major = value.Slice(version.Start, version.Length);
                found = true;
            }
        }

        return found;
    }

    /// <summary>One list member from <paramref name="pos"/>: <c>"name";v="version"</c> (other parameters ignored), then optional <c>,</c>.</summary>
    private static bool TryItem(ReadOnlySpan<char> value, ref int pos, out (int Start, int Length) name, out (int Start, int Length) version)
    {
        version = default;
        SkipSpaces(value, ref pos);
        if (!TryQuoted(value, ref pos, out name))
        {
            return false;
        }

        while (pos < value.Length && value[pos] == ';')
        {
            pos++;
            SkipSpaces(value, ref pos);
            var eq = value[pos..].IndexOf('=');
            if (eq <= 0 || eq > 16)
            {
                return false;
            }

            var isVersion = value.Slice(pos, eq) is "v";
            pos += eq + 1;
            if (!TryQuoted(value, ref pos, out var text))
            {
                return false;
            }

            if (isVersion)
            {
                var dot = value.Slice(text.Start, text.Length).IndexOf('.');
                version = (text.Start, dot < 0 ? text.Length : dot);
                if (version.Length > 8)
                {
                    return false;
                }
            }
        }

        SkipSpaces(value, ref pos);
        if (pos < value.Length)
        {
            if (value[pos] != ',')
            {
                return false;
            }

            pos++;
        }

        return true;
    }

    private static void SkipSpaces(ReadOnlySpan<char> value, ref int pos)
    {
        while (pos < value.Length && value[pos] == ' ')
        {
            pos++;
        }
    }

    /// <summary>A whole <c>sf-string</c> value (for example <c>"Windows"</c>); false when malformed.</summary>
    public static bool TryString(ReadOnlySpan<char> value, out ReadOnlySpan<char> text)
    {
        var pos = 0;
        if (!TryQuoted(value, ref pos, out var range) || !value[pos..].Trim().IsEmpty)
        {
            text = default;
            return false;
        }

        text = value.Slice(range.Start, range.Length);
        return true;
    }

    /// <summary>An <c>sf-boolean</c>: 1 for <c>?1</c>, 0 for <c>?0</c>, -1 otherwise.</summary>
    public static int Boolean(ReadOnlySpan<char> value) => value is "?1" ? 1 : value is "?0" ? 0 : -1;

    /// <summary>
    /// A quoted string of printable ASCII from <paramref name="pos"/>, at most 64 characters. An escape (<c>\"</c>, <c>\\</c>) makes the
    /// value refused (no real brand, platform or model has one), so the text is always a slice of the header: no copy is made.
    /// </summary>
    private static bool TryQuoted(ReadOnlySpan<char> value, ref int pos, out (int Start, int Length) text)
    {
        text = default;
        if (pos >= value.Length || value[pos] != '"')
        {
            return false;
        }

        for (var i = pos + 1; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '"')
            {
                text = (pos + 1, i - pos - 1);
                pos = i + 1;
                return text.Length <= 64;
            }

            if (c is < ' ' or > '~' or '\\')
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>GREASE brands: "Not A(Brand", "Not)A;Brand", "Not-A.Brand", "Not/A)Brand"... (letters N-o-t, then A, then Brand).</summary>
    private static bool IsGrease(ReadOnlySpan<char> name) =>
        name.StartsWith("Not", StringComparison.Ordinal) && name.EndsWith("Brand", StringComparison.Ordinal) && name.Contains('A');
}
