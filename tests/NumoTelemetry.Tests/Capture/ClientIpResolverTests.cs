using Microsoft.Extensions.Primitives;
using NumoTelemetry.Capture;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Capture;

public class ClientIpResolverTests
{
    private static ClientIpResolver Resolver(params string[] trusted) => new(new ClientIpOptions { TrustedProxies = trusted, TrustLoopback = false });

    private static string Resolve(ClientIpResolver resolver, string peer, string? xff, string? forwarded, out ClientIpSource source, out bool malformed)
    {
        Assert.True(ClientAddress.TryParse(peer, out var p));
        var result = resolver.Resolve(p, forwarded is null ? default : new StringValues(forwarded), xff is null ? default : new StringValues(xff), out source, out malformed);
        return result.ToString();
    }

    [Fact]
    public void Resolve_UntrustedPeer_IgnoresForwardingHeaders()
    {
        var ip = Resolve(Resolver("10.0.0.0/8"), "203.0.113.5", "1.1.1.1", null, out var source, out _);
        Assert.Equal("203.0.113.5", ip);
        Assert.Equal(ClientIpSource.Peer, source);
    }

    [Fact]
    public void Resolve_TrustedPeer_TakesRightmostUntrusted()
    {
        var ip = Resolve(Resolver("10.0.0.0/8"), "10.0.0.2", "198.51.100.1, 203.0.113.9, 10.0.0.7", null, out var source, out var malformed);
        Assert.Equal("203.0.113.9", ip);
        Assert.Equal(ClientIpSource.XForwardedFor, source);
        Assert.False(malformed);
    }

    [Fact]
    public void Resolve_SpoofedLeftmost_IsNotBelieved()
    {
        // The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the real client.
        var ip = Resolve(Resolver("10.0.0.0/8"), "10.0.0.2", "1.2.3.4, 198.51.100.77", null, out _, out _);
        Assert.Equal("198.51.100.77", ip);
    }

    [Fact]
    public void Resolve_MalformedEntry_StopsWalk()
    {
        var ip = Resolve(Resolver("10.0.0.0/8"), "10.0.0.2", "198.51.100.1, garbage, 10.0.0.9", null, out _, out var malformed);
        Assert.Equal("10.0.0.9", ip);
        Assert.True(malformed);
    }

    [Fact]
    public void Resolve_AllTrusted_TakesLeftmostSeen()
    {
        var ip = Resolve(Resolver("10.0.0.0/8"), "10.0.0.2", "10.1.1.1, 10.2.2.2", null, out _, out _);
        Assert.Equal("10.1.1.1", ip);
    }

    [Fact]
    public void Resolve_Forwarded_ParsesQuotedIPv6AndPorts()
    {
        var ip = Resolve(Resolver("10.0.0.0/8"), "10.0.0.2", null, "for=192.0.2.60;proto=http;by=203.0.113.43, for=\"[2001:db8:cafe::17]:4711\"", out var source, out _);
        Assert.Equal("2001:db8:cafe::17", ip);
        Assert.Equal(ClientIpSource.Forwarded, source);
    }

    [Fact]
    public void Resolve_ForwardedTakesPrecedenceOverXff()
    {
        var ip = Resolve(Resolver("10.0.0.0/8"), "10.0.0.2", "198.51.100.1", "for=192.0.2.60", out _, out _);
        Assert.Equal("192.0.2.60", ip);
    }

    [Theory]
    [InlineData("for=unknown")]
    [InlineData("for=_hidden")]
    [InlineData("proto=https")]
    public void Resolve_ForwardedWithoutUsableFor_Malformed(string header)
    {
        var ip = Resolve(Resolver("10.0.0.0/8"), "10.0.0.2", null, header, out _, out var malformed);
        Assert.Equal("10.0.0.2", ip);
        Assert.True(malformed);
    }

    [Fact]
    public void Resolve_MultipleHeaderLines_AreOneListInOrder()
    {
        Assert.True(ClientAddress.TryParse("10.0.0.2", out var peer));
        var result = Resolver("10.0.0.0/8").Resolve(peer, default, new StringValues(["198.51.100.1", "203.0.113.4, 10.0.0.3"]), out _, out _);
        Assert.Equal("203.0.113.4", result.ToString());
    }

    [Fact]
    public void Resolve_MappedPeer_IsNormalizedAndTrusted()
    {
        var ip = Resolve(Resolver("10.0.0.0/8"), "::ffff:10.0.0.2", "198.51.100.1", null, out _, out _);
        Assert.Equal("198.51.100.1", ip);
    }

    [Fact]
    public void Resolve_HopLimit_BoundsWork()
    {
        var resolver = new ClientIpResolver(new ClientIpOptions { TrustedProxies = ["10.0.0.0/8"], MaxForwardedHops = 3, TrustLoopback = false });
        var chain = string.Join(", ", Enumerable.Range(1, 50).Select(i => "10.0.0." + i));
        Assert.True(ClientAddress.TryParse("10.0.0.200", out var peer));
        var result = resolver.Resolve(peer, default, new StringValues("198.51.100.1, " + chain), out _, out _);
        Assert.Equal("10.0.0.48", result.ToString());
    }

    [Fact]
    public void Constructor_InvalidTrustedProxy_ErrorNamesSetting()
    {
        var ex = Assert.Throws<ArgumentException>(() => Resolver("10.0.0.0/99"));
        Assert.Contains("NumoTelemetry:ClientIp:TrustedProxies", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_LoopbackTrustedByDefault()
    {
        var resolver = new ClientIpResolver(new ClientIpOptions());
        Assert.True(ClientAddress.TryParse("127.0.0.1", out var peer));
        Assert.Equal("203.0.113.1", resolver.Resolve(peer, default, new StringValues("203.0.113.1"), out _, out _).ToString());
        var strict = new ClientIpResolver(new ClientIpOptions { TrustLoopback = false });
        Assert.Equal("127.0.0.1", strict.Resolve(peer, default, new StringValues("203.0.113.1"), out _, out _).ToString());
    }

    private static ClientIpResolver Resolver(ForwardingHeader header) =>
        new(new ClientIpOptions { TrustedProxies = ["10.0.0.0/8"], TrustLoopback = false, ForwardingHeader = header });

    [Fact]
    public void Resolve_XForwardedForOnly_IgnoresAClientsOwnForwardedHeader()
    {
        // A proxy that appends to X-Forwarded-For and passes the client's "Forwarded: for=1.2.3.4" through: under Auto the
        // client chooses its address; reading only X-Forwarded-For finds the real one.
        Assert.Equal("1.2.3.4", Resolve(Resolver(ForwardingHeader.Auto), "10.0.0.2", "198.51.100.77", "for=1.2.3.4", out _, out _));
        var ip = Resolve(Resolver(ForwardingHeader.XForwardedFor), "10.0.0.2", "198.51.100.77", "for=1.2.3.4", out var source, out _);
        Assert.Equal("198.51.100.77", ip);
        Assert.Equal(ClientIpSource.XForwardedFor, source);
    }

    [Fact]
    public void Resolve_ForwardedOnly_IgnoresXForwardedFor()
    {
        var ip = Resolve(Resolver(ForwardingHeader.Forwarded), "10.0.0.2", "1.2.3.4", null, out var source, out _);
        Assert.Equal("10.0.0.2", ip);
        Assert.Equal(ClientIpSource.Peer, source);
        Assert.Equal("198.51.100.77", Resolve(Resolver(ForwardingHeader.Forwarded), "10.0.0.2", "1.2.3.4", "for=198.51.100.77", out _, out _));
    }

    [Theory]
    [InlineData(ForwardingHeader.Auto, "Forwarded", "X-Forwarded-For")]
    [InlineData(ForwardingHeader.XForwardedFor, "X-Forwarded-For", null)]
    [InlineData(ForwardingHeader.Forwarded, "Forwarded", null)]
    public void ReadForwardingHeaders_ReadsOnlyTheConfiguredHeaders(ForwardingHeader header, string first, string? second)
    {
        var headers = new ReadCountingHeaders();
        Resolver(header).ReadForwardingHeaders(headers, out _, out _);
        Assert.Equal(second is null ? [first] : new[] { first, second }, headers.Read);
    }

    private sealed class ReadCountingHeaders : Dictionary<string, StringValues>, Microsoft.AspNetCore.Http.IHeaderDictionary
    {
        public List<string> Read { get; } = [];

        public long? ContentLength { get; set; }

        StringValues Microsoft.AspNetCore.Http.IHeaderDictionary.this[string key]
        {
            get
            {
                Read.Add(key);
                return TryGetValue(key, out var value) ? value : default;
            }

            set => this[key] = value;
        }
    }
}
