using System.Net;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Capture;

public class ClientAddressTests
{
    [Theory]
    [InlineData("1.2.3.4", "1.2.3.4")]
    [InlineData(" 1.2.3.4 ", "1.2.3.4")]
    [InlineData("1.2.3.4:8080", "1.2.3.4")]
    [InlineData("::1", "::1")]
    [InlineData("[::1]:443", "::1")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1")]
    [InlineData("fe80::1%eth0", "fe80::1")]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1")]
    [InlineData("::", "::")]
    [InlineData("1::", "1::")]
    [InlineData("64:ff9b::192.0.2.33", "64:ff9b::c000:221")]
    public void TryParse_Valid_MatchesIPAddress(string text, string expected)
    {
        Assert.True(ClientAddress.TryParse(text, out var address));
        Assert.Equal(IPAddress.Parse(expected), address.ToIPAddress());
    }

    [Theory]
    [InlineData("")]
    [InlineData("unknown")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.1.1.1")]
    [InlineData("01.2.3.4")]
    [InlineData("1.2.3.4:99999")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("1::2::3")]
    [InlineData("12345::")]
    [InlineData(":1")]
    [InlineData("1:")]
    [InlineData("[::1")]
    [InlineData("_hidden")]
    [InlineData("1.2.3.4 5.6.7.8")]
    [InlineData("１.２.３.４")]
    public void TryParse_Invalid_ReturnsFalse(string text)
    {
        Assert.False(ClientAddress.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_RandomV6_AgreesWithIPAddress()
    {
        var random = new Random(42);
        var bytes = new byte[16];
        for (var i = 0; i < 2000; i++)
        {
            random.NextBytes(bytes);
            if (i % 3 == 0)
            {
                Array.Clear(bytes, 4, 8);
            }

            var ip = new IPAddress(bytes);
            Assert.True(ClientAddress.TryParse(ip.ToString(), out var parsed), ip.ToString());
            var expected = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
            Assert.Equal(expected, parsed.ToIPAddress());
        }
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.200.1.1", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("192.168.1.7", "192.168.1.7", true)]
    [InlineData("192.168.1.7", "192.168.1.8", false)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("::ffff:10.0.0.0/104", "10.1.2.3", true)]
    [InlineData("0.0.0.0/0", "8.8.8.8", true)]
    [InlineData("10.0.0.0/8", "::ffff:10.1.1.1", true)]
    public void IsInNetwork_Cidr(string network, string address, bool expected)
    {
        Assert.True(ClientAddress.TryParseNetwork(network, out var net, out var length));
        Assert.True(ClientAddress.TryParse(address, out var a));
        Assert.Equal(expected, a.IsInNetwork(net, length));
    }

    [Theory]
    [InlineData("10.1.1.1", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.0.1", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("::1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("2001:db8::1", false)]
    public void IsPrivateOrLocal(string text, bool expected)
    {
        Assert.True(ClientAddress.TryParse(text, out var a));
        Assert.Equal(expected, a.IsPrivateOrLocal);
    }
}
