using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Pseudonymization;

/// <summary>
/// Pseudonyms follow their epoch (day for analytics, window for fraud): stable within it, unrelated across it, and a late
/// request of an old epoch still gets that epoch's pseudonym. The pseudonymizer keeps no raw value to make this so.
/// </summary>
public class EpochTests
{
    private static readonly DateTimeOffset s_day1 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Pseudonymize_AnalyticsDayChanges_NewPseudonym_LateRequestGetsTheOldDays()
    {
        using var p = TestKeys.Pseudonymizer();
        var first = p.Pseudonymize(PseudonymKind.Visitor, "raw-visitor", s_day1, PseudonymScope.Analytics);

        Assert.Equal(first, p.Pseudonymize(PseudonymKind.Visitor, "raw-visitor", s_day1.AddHours(1), PseudonymScope.Analytics));
        var next = p.Pseudonymize(PseudonymKind.Visitor, "raw-visitor", s_day1.AddDays(1), PseudonymScope.Analytics);
        Assert.NotEqual(first, next);
        Assert.Equal(first, p.Pseudonymize(PseudonymKind.Visitor, "raw-visitor", s_day1.AddHours(2), PseudonymScope.Analytics));
        Assert.Equal(next, p.Pseudonymize(PseudonymKind.Visitor, "raw-visitor", s_day1.AddDays(1).AddHours(1), PseudonymScope.Analytics));
    }

    [Fact]
    public void PseudonymizeAddress_FraudWindowEnds_NewPseudonym_AndFraudDiffersFromAnalytics()
    {
        using var p = TestKeys.Pseudonymizer(TestKeys.Options(configure: o => o.FraudWindow = TimeSpan.FromHours(1)));
        ClientAddress.TryParse("203.0.113.9", out var address);
        var first = p.PseudonymizeAddress(address, PseudonymKind.Ip, s_day1);

        Assert.Equal(first, p.PseudonymizeAddress(address, PseudonymKind.Ip, s_day1.AddMinutes(59)));
        Assert.NotEqual(first, p.PseudonymizeAddress(address, PseudonymKind.Ip, s_day1.AddHours(1)));
        Assert.NotEqual(first.Hash64, p.PseudonymizeAddress(address, PseudonymKind.Ip, s_day1, PseudonymScope.Analytics).Hash64);
        Assert.NotEqual(first.Hash64, p.PseudonymizeAddress(address, PseudonymKind.IpPrefix, s_day1).Hash64);
    }

    [Fact]
    public void PseudonymizeCookielessVisitor_DayChanges_NewVisitor_LateRequestGetsTheOldDays()
    {
        using var p = TestKeys.Pseudonymizer();
        ClientAddress.TryParse("198.51.100.5", out var address);
        var first = p.PseudonymizeCookielessVisitor(address, "raw-ua", "site", s_day1);

        Assert.Equal(first, p.PseudonymizeCookielessVisitor(address, "raw-ua", "site", s_day1.AddHours(3)));
        Assert.NotEqual(first, p.PseudonymizeCookielessVisitor(address, "raw-ua", "site", s_day1.AddDays(1)));
        Assert.NotEqual(first, p.PseudonymizeCookielessVisitor(address, "raw-ua2", "site", s_day1));
        Assert.NotEqual(first, p.PseudonymizeCookielessVisitor(address, "raw-ua", "site2", s_day1));
        Assert.Equal(first, p.PseudonymizeCookielessVisitor(address, "raw-ua", "site", s_day1.AddHours(4)));
    }
}
