namespace NumoTelemetry.Dns.Tests;

public sealed class PublicSuffixListTests
{
    private static readonly PublicSuffixList s_list = PublicSuffixList.Default;

    [Theory]
    [InlineData("c-98-207-1-2.hsd1.ma.comcast.net", "comcast.net")]
    [InlineData("crawl-66-249-66-1.googlebot.com.", "googlebot.com")]
    [InlineData("host81-2-69-160.range81-2.btcentralplus.co.uk", "btcentralplus.co.uk")]
    [InlineData("msnbot-157-55-39-1.search.msn.com", "msn.com")]
    [InlineData("ec2-3-4-5-6.compute-1.amazonaws.com", "amazonaws.com")] // ICANN rules only: never a per-host "domain"
    [InlineData("abc.def.blogspot.com", "blogspot.com")]
    [InlineData("x.y.bücher.de", "xn--bcher-kva.de")]
    [InlineData("a.b.公司.cn", "b.xn--55qx5d.cn")]
    [InlineData("a.b.c.ck", "b.c.ck")] // *.ck
    [InlineData("www.ck", "www.ck")] // !www.ck
    [InlineData("Example.COM", "example.com")]
    public void GetRegistrableDomain_Name_ReturnsPublicSuffixPlusOne(string host, string expected) =>
        Assert.Equal(expected, s_list.GetRegistrableDomain(host));

    [Theory]
    [InlineData("com")]
    [InlineData("co.uk")]
    [InlineData("localhost")]
    [InlineData("")]
    [InlineData("a..com")]
    [InlineData(null)]
    public void GetRegistrableDomain_SuffixOrNotAName_ReturnsNull(string? host) =>
        Assert.Null(s_list.GetRegistrableDomain(host));

    [Fact]
    public void Default_EmbeddedList_HasTheIcannSectionOnly()
    {
        Assert.True(s_list.RuleCount > 5000, $"{s_list.RuleCount} rules");
        Assert.Equal("amazonaws.com", s_list.GetRegistrableDomain("x.s3.amazonaws.com"));
    }

    [Fact]
    public void ReadIcannRules_DamagedList_Throws() =>
        Assert.Throws<InvalidDataException>(() => PublicSuffixList.ReadIcannRules(new StringReader("export default [\n  \"com\"\n];")));
}
