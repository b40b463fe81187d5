using NumoTelemetry.Capture;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Pseudonymization;

/// <summary>Raw values held as cache keys never outlive their epoch (day for analytics, window for fraud).</summary>
public class CacheEvictionTests
{
    private static readonly DateTimeOffset s_day1 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void PseudonymCache_AnalyticsDayChanges_RawValuesOfTheOldDayAreGone()
    {
        using var p = TestKeys.Pseudonymizer();
        ClientAddress.TryParse("198.51.100.77", out var address);
        var first = p.Pseudonymize(PseudonymKind.Visitor, "raw-visitor-day1", s_day1, PseudonymScope.Analytics);
        p.PseudonymizeAddress(address, PseudonymKind.Ip, s_day1, PseudonymScope.Analytics);
        Assert.True(p.Cache.HoldsRaw("raw-visitor-day1"));
        Assert.True(p.Cache.HoldsRaw("198.51.100.77"));

        // Cached within the day.
        var hashes = p.HashCount;
        Assert.Equal(first, p.Pseudonymize(PseudonymKind.Visitor, "raw-visitor-day1", s_day1.AddHours(1), PseudonymScope.Analytics));
        Assert.Equal(hashes, p.HashCount);

        // One request of the next day, with other values, evicts the whole previous day.
        p.Pseudonymize(PseudonymKind.Visitor, "raw-visitor-day2", s_day1.AddDays(1), PseudonymScope.Analytics);
        Assert.False(p.Cache.HoldsRaw("raw-visitor-day1"));
        Assert.False(p.Cache.HoldsRaw("198.51.100.77"));

        // A late request of the old day still gets the old day's pseudonym, and does not bring the day back.
        Assert.Equal(first, p.Pseudonymize(PseudonymKind.Visitor, "raw-visitor-day1", s_day1.AddHours(2), PseudonymScope.Analytics));
        Assert.False(p.Cache.HoldsRaw("raw-visitor-day1"));
        Assert.True(p.Cache.HoldsRaw("raw-visitor-day2"));
    }

    [Fact]
    public void PseudonymCache_FraudWindowEnds_RawValuesOfTheOldWindowAreGone()
    {
        using var p = TestKeys.Pseudonymizer(TestKeys.Options(configure: o => o.FraudWindow = TimeSpan.FromHours(1)));
        ClientAddress.TryParse("203.0.113.9", out var address);
        p.Pseudonymize(PseudonymKind.Session, "raw-session-1", s_day1);
        p.PseudonymizeAddress(address, PseudonymKind.Ip, s_day1);
        Assert.True(p.Cache.HoldsRaw("raw-session-1"));

        p.Pseudonymize(PseudonymKind.Session, "raw-session-2", s_day1.AddHours(1));
        Assert.False(p.Cache.HoldsRaw("raw-session-1"));
        Assert.False(p.Cache.HoldsRaw("203.0.113.9"));
    }

    [Fact]
    public void CookielessVisitorCache_DayChanges_RawAddressAndUserAgentAreGone()
    {
        using var p = TestKeys.Pseudonymizer();
        var cache = new CookielessVisitorCache(64);
        ClientAddress.TryParse("198.51.100.5", out var day1Address);
        ClientAddress.TryParse("198.51.100.6", out var day2Address);
        var first = cache.Get(p, day1Address, "raw-ua-day1", "site", s_day1);
        Assert.True(cache.Holds(day1Address, "raw-ua-day1"));
        Assert.Equal(first, cache.Get(p, day1Address, "raw-ua-day1", "site", s_day1.AddHours(3)));

        cache.Get(p, day2Address, "raw-ua-day2", "site", s_day1.AddDays(1));
        Assert.False(cache.Holds(day1Address, "raw-ua-day1"));
        Assert.True(cache.Holds(day2Address, "raw-ua-day2"));

        // A late request of the old day: right value, not cached.
        Assert.Equal(first, cache.Get(p, day1Address, "raw-ua-day1", "site", s_day1.AddHours(4)));
        Assert.False(cache.Holds(day1Address, "raw-ua-day1"));
    }
}
