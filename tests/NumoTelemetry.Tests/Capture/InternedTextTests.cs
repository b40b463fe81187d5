using NumoTelemetry.Capture;
using NumoTelemetry.Internal;

namespace NumoTelemetry.Tests.Capture;

public class InternedTextTests
{
    [Fact]
    public void InternLowerAscii_GivesOneInstancePerLowerCasedText()
    {
        var interner = new BoundedInterner(64, InternedText.MaxLowerAsciiLength);
        var lower = interner.InternLowerAscii("www.example.org");
        Assert.Equal("www.example.org", lower);
        Assert.Same(lower, interner.InternLowerAscii("WWW.Example.ORG"));
        Assert.Same(lower, interner.InternLowerAscii("www.example.org".AsSpan()));
    }

    [Fact]
    public void InternLowerAscii_LowersTextThatIsNotAscii_AsBefore()
    {
        // No A-Z, but not ASCII either: lowered by the invariant culture, not taken as it is.
        var interner = new BoundedInterner(64, InternedText.MaxLowerAsciiLength);
        Assert.Equal("ä-host", interner.InternLowerAscii("Ä-host"));
        Assert.Equal("ä-host", interner.InternLowerAscii("ä-host"));
    }

    [Fact]
    public void InternLowerAscii_CutsAt256Characters()
    {
        var interner = new BoundedInterner(64, InternedText.MaxLowerAsciiLength);
        Assert.Equal(new string('a', 256), interner.InternLowerAscii(new string('A', 300)));
        Assert.Equal(new string('a', 256), interner.InternLowerAscii(new string('a', 300)));
    }
}
