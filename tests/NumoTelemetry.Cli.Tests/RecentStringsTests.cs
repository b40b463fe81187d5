using System.Text;
using NumoTelemetry.Cli.Replay;

namespace NumoTelemetry.Cli.Tests;

public sealed class RecentStringsTests
{
    [Fact]
    public void Get_Repeat_ReturnsTheSameInstance()
    {
        var recent = new RecentStrings(1024);
        var a = recent.Get("numo_vid=abc"u8);
        var b = recent.Get("numo_vid=abc".AsSpan());
        Assert.Equal("numo_vid=abc", a);
        Assert.Same(a, b);
        Assert.Equal("numo_vid=abd", recent.Get("numo_vid=abd".AsSpan()));
    }

    [Fact]
    public void Get_CollidingSlots_NeverReturnsAnotherValue()
    {
        var recent = new RecentStrings(16);
        for (var i = 0; i < 1000; i++)
        {
            var text = $"/p/{i}";
            Assert.Equal(text, recent.Get(Encoding.UTF8.GetBytes(text)));
            Assert.Equal("/p/7", recent.Get("/p/7".AsSpan()));
        }
    }

    [Fact]
    public void Concat_JoinsAndReusesAndHandlesLongValues()
    {
        var recent = new RecentStrings(1024);
        var first = recent.Concat("a=1", "; ", ".AspNetCore.Session=", "s1");
        Assert.Equal("a=1; .AspNetCore.Session=s1", first);
        Assert.Same(first, recent.Concat("a=1", "; ", ".AspNetCore.Session=", "s1"));
        var longValue = new string('x', 2000);
        Assert.Equal(longValue + "; s=1", recent.Concat(longValue, "; ", "s=", "1"));
        Assert.Equal(longValue, recent.Get(longValue.AsSpan()));
    }
}
