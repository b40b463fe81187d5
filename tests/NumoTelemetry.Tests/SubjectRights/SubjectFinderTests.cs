using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using NumoTelemetry.SubjectRights;

namespace NumoTelemetry.Tests.SubjectRights;

public sealed class SubjectFinderTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 15, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A ring of two keys, key 2 current from 20 days before <see cref="Now"/>; fraud windows of 7 days.</summary>
    private static Pseudonymizer TwoKeys() => TestKeys.Pseudonymizer(TestKeys.Options(2, o =>
    {
        o.KeyActivation["2"] = Now.AddDays(-20);
        o.FraudWindow = TimeSpan.FromDays(7);
    }));

    [Fact]
    public void Find_TwoKeysTwoWindows_HoldsEveryPseudonymCaptureMade()
    {
        using var p = TwoKeys();
        var at = new[] { Now.AddDays(-40), Now.AddDays(-30), Now.AddDays(-10), Now };
        var subject = SubjectFinder.Find(p, [new SubjectIdentifier(SubjectIdentifierKind.Email, "Jane.Doe@Example.com "), new SubjectIdentifier(SubjectIdentifierKind.Ip, "203.0.113.7")], Now.AddDays(-45), Now);
        foreach (var when in at)
        {
            // What capture and the signals API made at that time (the key current then, the window then).
            Assert.True(subject.IsSubject(p.Pseudonymize(PseudonymKind.Email, "jane.doe@example.com", when)));
            Assert.True(subject.IsSubject(p.Pseudonymize(PseudonymKind.User, "jane.doe@example.com", when)));
            Assert.True(subject.IsSubject(p.Pseudonymize(PseudonymKind.Ip, "203.0.113.7", when)));
        }

        var keys = subject.All.Where(x => x.Kind == PseudonymKind.Ip).Select(x => x.KeyId).Distinct().Order();
        Assert.Equal([(ushort)1, (ushort)2], keys);
        Assert.True(subject.All.Count(x => x.Kind == PseudonymKind.Ip && x.KeyId == 1) >= 7); // 45 days of 7-day windows
    }

    [Fact]
    public void Find_Ip_PrefixIsContextNeverTheSubject()
    {
        using var p = TwoKeys();
        var subject = SubjectFinder.Find(p, [new SubjectIdentifier(SubjectIdentifierKind.Ip, "203.0.113.7")], Now.AddDays(-1), Now);
        var prefix = p.Pseudonymize(PseudonymKind.IpPrefix, "203.0.113.7", Now);
        Assert.Contains(subject.All, x => x.Kind == PseudonymKind.IpPrefix && x.IsContext && x.Value == prefix);
        Assert.False(subject.IsSubject(prefix));
        Assert.False(subject.IsSubject(prefix.ToString()));
        Assert.DoesNotContain(subject.FraudSubjects, k => k.Kind == SubjectKind.IpPrefix);
        Assert.False(subject.IsSubject(p.Pseudonymize(PseudonymKind.Ip, "203.0.113.8", Now))); // a neighbour is not the person
    }

    [Fact]
    public void Find_Visitor_AnalyticsPseudonymOfEveryDay()
    {
        using var p = TwoKeys();
        var subject = SubjectFinder.Find(p, [new SubjectIdentifier(SubjectIdentifierKind.Visitor, "v-1234567890abcdef")], Now.AddDays(-3), Now);
        var analytics = subject.All.Where(x => x.Scope == PseudonymScope.Analytics).ToList();
        Assert.Equal(4 * 2, analytics.Count); // 4 UTC days, 2 keys
        Assert.Contains(analytics, x => x.Value == p.Pseudonymize(PseudonymKind.Visitor, "v-1234567890abcdef", Now.AddDays(-2), PseudonymScope.Analytics));
        Assert.True(subject.IsSubject(p.Pseudonymize(PseudonymKind.Visitor, "v-1234567890abcdef", Now.AddDays(-2))));
        Assert.False(subject.IsSubject(analytics[0].Value)); // analytics pseudonyms are listed, never stored by value
    }

    [Fact]
    public void Find_PhoneWithCallingCode_MatchesCapturesE164()
    {
        using var p = TwoKeys();
        var subject = SubjectFinder.Find(p, [new SubjectIdentifier(SubjectIdentifierKind.Phone, "07700 900123")], Now.AddDays(-1), Now, defaultCallingCode: "44");
        Assert.True(subject.IsSubject(p.Pseudonymize(PseudonymKind.Phone, "+447700900123", Now)));
    }

    [Fact]
    public void Find_KeyRemovedFromTheRing_ItsPseudonymsCannotBeFound()
    {
        using var both = TwoKeys();
        var old = both.Pseudonymize(PseudonymKind.User, "alice", Now.AddDays(-40)); // key 1
        var options = TestKeys.Options(1);
        options.Keys.Clear();
        options.Keys["2"] = KeyRing.GenerateKey();
        using var onlyNew = TestKeys.Pseudonymizer(options);
        var subject = SubjectFinder.Find(onlyNew, [new SubjectIdentifier(SubjectIdentifierKind.User, "alice")], Now.AddDays(-45), Now);
        Assert.All(subject.All, x => Assert.Equal(2, x.KeyId));
        Assert.False(subject.IsSubject(old)); // crypto-shredded
    }

    [Fact]
    public void SubjectIdentifier_ToString_NeverHoldsTheValue() =>
        Assert.Equal("email", new SubjectIdentifier(SubjectIdentifierKind.Email, "jane@example.com").ToString());
}
