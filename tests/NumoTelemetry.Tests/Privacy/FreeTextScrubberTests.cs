using NumoTelemetry.Capture;
using NumoTelemetry.Internal;
using NumoTelemetry.Privacy;

namespace NumoTelemetry.Tests.Privacy;

public class FreeTextScrubberTests
{
    [Theory]
    // campaign values
    [InlineData("spring_sale_2026")]
    [InlineData("newsletter")]
    [InlineData("cpc")]
    [InlineData("email")]
    [InlineData("google")]
    [InlineData("Spring Sale 2026")]
    [InlineData("black-friday-2026")]
    [InlineData("BlackFriday2026Newsletter")]
    [InlineData("SpringSale2026Promo")]
    [InlineData("newsletter_2026-03")]
    [InlineData("q1-2026")]
    [InlineData("promo:spring")]
    [InlineData("promo_code=SPRING")]
    [InlineData("20% off")]
    [InlineData("follow @brand")]
    [InlineData("summer+2026")]
    [InlineData("deadbeefcafe")]
    [InlineData("retargeting_lookalike_audience_v2")]
    [InlineData("Frühling_2026")]
    [InlineData("Frühjahr_Aktion")]
    [InlineData("soldes-été")]
    [InlineData("日本語キャンペーン")]
    [InlineData("Rentrée 2026 – Großes Finale")]
    [InlineData("20%25 off")]
    // hosts
    [InlineData("www.google.com")]
    [InlineData("t.co")]
    [InlineData("m.facebook.com")]
    [InlineData("l.instagram.com")]
    [InlineData("lm.facebook.com")]
    [InlineData("com.google.android.gm")]
    [InlineData("www-example-com.cdn.ampproject.org")]
    [InlineData("s3.eu-west-1.amazonaws.com")]
    [InlineData("10.0.0.1")]
    [InlineData("[2001:db8::1]")] // a short documentation address (three groups); a full one is redacted
    [InlineData("bücher.de")]
    // language tags
    [InlineData("en")]
    [InlineData("en-GB")]
    [InlineData("zh-Hant-TW")]
    [InlineData("de-CH-1996")]
    // times and ratios
    [InlineData("12:30:45")]
    [InlineData("key_visual")]
    [InlineData("password reset")]
    // signal names, routes
    [InlineData("password_reset")]
    [InlineData("checkout_step_2")]
    [InlineData("/items/{id}")]
    [InlineData("/users/{userId:int}/orders")]
    public void Scrub_OrdinaryValue_IsKeptAsTheSameInstance(string value)
    {
        Assert.False(FreeTextScrubber.IsSensitive(value));
        Assert.Same(value, FreeTextScrubber.Scrub(value));
    }

    [Theory]
    // e-mail addresses, also percent-encoded (once more than the capture decodes)
    [InlineData("jane.doe@example.com")]
    [InlineData("jane.doe%40example.com")]
    [InlineData("JANE.DOE%40EXAMPLE.COM")]
    [InlineData("newsletter jane.doe@example.com")]
    [InlineData("x+tag@mail.example.co.uk")]
    [InlineData("a@1.example.org")]
    // phone numbers and other long digit runs
    [InlineData("+447700900123")]
    [InlineData("%2B447700900123")]
    [InlineData("+44 7700 900123")]
    [InlineData("07700 900123")]
    [InlineData("(555) 123-4567")]
    [InlineData("555-1234")]
    [InlineData("+1.555.123.4567")]
    [InlineData("call 0 7 7 0 0 9 0 0")]
    [InlineData("jane-doe-447700900123.example.net")]
    [InlineData("order_1234567")]
    [InlineData("ec2-54-123-45-67.compute-1.amazonaws.com")]
    [InlineData("192.168.100.200")]
    [InlineData("２０２６０３１５１")]
    // UUIDs and tokens
    [InlineData("550e8400-e29b-41d4-a716-446655440000")]
    [InlineData("9f86d081884c7d659a2feaa0c55ad015")]
    [InlineData("c=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b")]
    [InlineData("sk_live_8f2Kq9Zx7Lm3")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9")]
    [InlineData("Xy7-kP2_qR9zT4mW8vB1")]
    [InlineData("ghp_A1b2C3d4E5f6G7h8I9j0")]
    // key=value secrets
    [InlineData("token=abc")]
    [InlineData("token%3Dabc")]
    [InlineData("access_token=abc")]
    [InlineData("X-Api-Key: abc")]
    [InlineData("apiKey=abc")]
    [InlineData("password:hunter2")]
    [InlineData("utm secret=letmein")]
    [InlineData("sig=x")]
    public void Scrub_PersonalDataOrSecret_IsRedacted(string value)
    {
        Assert.True(FreeTextScrubber.IsSensitive(value));
        Assert.Equal(FreeTextScrubber.Redacted, FreeTextScrubber.Scrub(value));
    }

    [Theory]
    // e-mail addresses with a fullwidth at sign (U+FF20, a decoded %EF%BC%A0), a non-ASCII local part or an IDN domain
    [InlineData("jane.doe\uFF20example.com")]
    [InlineData("jos\u00E9@example.com")]
    [InlineData("jane@b\u00FCcher.de")]
    // an e-mail address percent-encoded once more than the capture and the scrubber decode (%2540 after capture's decode)
    [InlineData("jane.doe%2540example.com")]
    // phone numbers written with a no-break space, an en dash, underscores or spaced dashes between the groups
    [InlineData("+44\u00A07700\u00A0900123")]
    [InlineData("06\u202F12\u202F34\u202F56\u202F78")]
    [InlineData("+44\u20137700\u2013900123")]
    [InlineData("+44_7700_900_123")]
    [InlineData("0770 - 090 - 0123")]
    [InlineData("44_7700_900123.example.com")]
    // a secret with a space before its '='
    [InlineData("password = hunter2")]
    [InlineData("api_key : abc")]
    // percent-encoded UTF-8 and an e-mail address encoded three times
    [InlineData("jos%C3%A9%40example.com")]
    [InlineData("jane.doe%25252540example.com")]
    [InlineData("jane.doe\uFE6Bexample.com")]
    public void Scrub_PersonalDataWithUnicodeOrOtherSeparators_IsRedacted(string value)
    {
        Assert.True(FreeTextScrubber.IsSensitive(value), value);
        Assert.Equal(FreeTextScrubber.Redacted, FreeTextScrubber.Scrub(value));
    }

    [Theory]
    // A referrer host that is a full IPv6 address (a home server's, or an interface id built from a MAC address, ff:fe)
    // identifies a subscriber or a device as an IPv4 address with seven digits does; only its /64 or less is network.
    [InlineData("[2a02:8071:2d85:6f00:211:22ff:fe33:4455]")]
    [InlineData("[2a02:8071:2d85:6f00:8d1c:3b2a:91e4:7f10]")]
    [InlineData("[fe80::211:22ff:fe33:4455]")]
    [InlineData("2a02-8071-2d85-6f00-211-22ff-fe33-4455.ipv6.example.net")]
    public void Scrub_FullIPv6AddressAsHost_IsRedacted(string value)
    {
        Assert.True(FreeTextScrubber.IsSensitive(value), value);
    }

    [Fact]
    public void Scrub_LongValue_IsCutAndAnOverlongOneRedacted()
    {
        var words = string.Concat(Enumerable.Repeat("spring sale ", 10));
        Assert.Equal(words[..FreeTextScrubber.MaxLength], FreeTextScrubber.Scrub(words));

        // The whole value is scanned before it is cut: an address beyond the cut still redacts it.
        Assert.Equal(FreeTextScrubber.Redacted, FreeTextScrubber.Scrub(words + " jane.doe@example.com"));
        Assert.Equal(FreeTextScrubber.Redacted, FreeTextScrubber.Scrub(new string('a', FreeTextScrubber.MaxScanLength + 1)));

        // A surrogate pair is not split.
        var emoji = new string('a', FreeTextScrubber.MaxLength - 1) + "😀";
        Assert.Equal(FreeTextScrubber.MaxLength - 1, FreeTextScrubber.Scrub(emoji).Length);
    }

    [Theory]
    [InlineData("GET", "GET")]
    [InlineData("POST", "POST")]
    [InlineData("PATCH", "PATCH")]
    [InlineData("OPTIONS", "OPTIONS")]
    [InlineData("CANARYVERB", "_OTHER")]
    [InlineData("get", "_OTHER")]
    [InlineData("jane.doe@example.com", "_OTHER")]
    [InlineData(null, "_OTHER")]
    public void Method_NonStandard_IsOther(string? method, string expected) =>
        Assert.Equal(expected, FreeTextScrubber.Method(method));

    [Theory]
    [InlineData("HTTP/1.1", "HTTP/1.1")]
    [InlineData("HTTP/2", "HTTP/2")]
    [InlineData("HTTP/2.0", "HTTP/2.0")]
    [InlineData("HTTP/9.jane", "_OTHER")]
    public void Protocol_Unknown_IsOther(string protocol, string expected) =>
        Assert.Equal(expected, FreeTextScrubber.Protocol(protocol));

    [Fact]
    public void Intern_KeptValue_IsSharedAndRedactedOneNeverInterned()
    {
        var interner = new BoundedInterner(16, InternedText.MaxLowerAsciiLength);
        var first = interner.InternScrubbed("WWW.Google.com".AsSpan(), lowerAscii: true);
        Assert.Equal("www.google.com", first);
        Assert.Same(first, interner.InternScrubbed("www.google.com".AsSpan(), lowerAscii: true));
        Assert.Same(FreeTextScrubber.Redacted, interner.InternScrubbed("jane.doe@example.com".AsSpan(), lowerAscii: false));
    }

    [Fact]
    public void Scrub_PassingValue_AllocatesNothing()
    {
        string[] values = ["spring_sale_2026", "www.google.com", "zh-Hant-TW", "BlackFriday2026Newsletter"];
        foreach (var value in values)
        {
            FreeTextScrubber.Scrub(value); // JIT
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            foreach (var value in values)
            {
                FreeTextScrubber.Scrub(value);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
