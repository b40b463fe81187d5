using System.Buffers;
using System.Text.Json;
using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Tests.Fraud;

public sealed class FraudFeatureTests
{
    // The wire names as stored: state keys in a fleet's Redis and subject exports use them, so renaming one orphans state.
    // Written out here, not derived: a change to FraudFeatures.WireName must be a change to this table too.
    private static readonly (FraudFeature Feature, string WireName)[] Pinned =
    [
        (FraudFeature.None, ""),
        (FraudFeature.RequestsShort, "req.short"),
        (FraudFeature.Requests, "req"),
        (FraudFeature.Paths, "paths"),
        (FraudFeature.ReturningClients, "returning"),
        (FraudFeature.Sessions, "sessions"),
        (FraudFeature.SessionRequests, "sreq"),
        (FraudFeature.UserAgents, "uas"),
        (FraudFeature.SucceededUsers, "ok.users"),
        (FraudFeature.MissingPaths, "missing"),
        (FraudFeature.Errors, "errors"),
        (FraudFeature.VisitorRequests, "vreq"),
        (FraudFeature.Visitors, "visitors"),
        (FraudFeature.Timing, "timing"),
        (FraudFeature.LoginFailures, "login.fail"),
        (FraudFeature.LoginSuccesses, "login.ok"),
        (FraudFeature.FailedUsers, "fail.users"),
        (FraudFeature.FailedUsersLong, "fail.users.long"),
        (FraudFeature.LoginFailuresLong, "login.fail.long"),
        (FraudFeature.LoginSuccessesLong, "login.ok.long"),
        (FraudFeature.PathsLong, "paths.long"),
        (FraudFeature.RequestsLong, "req.long"),
        (FraudFeature.ClientsLong, "clients.long"),
        (FraudFeature.MissingPathsLong, "missing.long"),
        (FraudFeature.ErrorsLong, "errors.long"),
        (FraudFeature.FailedIps, "fail.ips"),
        (FraudFeature.SucceededIps, "ok.ips"),
        (FraudFeature.LoginIps, "login.ips"),
        (FraudFeature.LastLogin, "last-login"),
        (FraudFeature.Devices, "devices"),
        (FraudFeature.Countries, "countries"),
        (FraudFeature.Asns, "asns"),
        (FraudFeature.Seen, "seen"),
        (FraudFeature.Fingerprint, "fingerprint"),
        (FraudFeature.Accounts, "accounts"),
        (FraudFeature.OtpRequests, "otp.req"),
        (FraudFeature.OtpVerified, "otp.ok"),
        (FraudFeature.OtpNumbers, "otp.numbers"),
        (FraudFeature.OtpBlocks, "otp.blocks"),
        (FraudFeature.OtpHistory, "otp.history"),
        (FraudFeature.Score, "score"),
    ];

    [Fact]
    public void WireName_EveryFeature_IsThePinnedName()
    {
        Assert.Equal(Enum.GetValues<FraudFeature>().Order(), Pinned.Select(static p => p.Feature).Order());
        foreach (var (feature, wireName) in Pinned)
        {
            Assert.Equal(wireName, FraudFeatures.WireName(feature));
        }
    }

    [Fact]
    public void WireName_TwoFeatures_NeverShareAName()
    {
        var names = Enum.GetValues<FraudFeature>().Select(FraudFeatures.WireName).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void WireName_UndefinedValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FraudFeatures.WireName((FraudFeature)200));
        Assert.Null(FraudFeatures.WireNameOrNull((FraudFeature)200));
    }

    [Fact]
    public void Add_UndefinedFeature_ThrowsAndAddsNothing()
    {
        // Stores name a feature by its wire name: a value without one never reaches them.
        var batch = new FraudStateBatch();
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = SubjectKey.ForAsn(64500), Feature = (FraudFeature)200 }));
        Assert.Equal(0, batch.Count);
    }

    [Fact]
    public void IsEvidence_EveryFeature_AgreesWithTheEvidenceNames()
    {
        // One bit per feature in a 64-bit mask: a 64th feature needs a wider mask.
        Assert.All(Enum.GetValues<FraudFeature>(), static f => Assert.True((byte)f < 64, f + " is beyond the evidence mask"));
        foreach (var feature in Enum.GetValues<FraudFeature>())
        {
            Assert.Equal(ReferenceFraudStateStore.EvidenceFeatures.Contains(FraudFeatures.WireName(feature)), FraudFeatures.IsEvidence(feature));
        }

        Assert.False(FraudFeatures.IsEvidence((FraudFeature)200));
        foreach (var feature in Enum.GetValues<FraudFeature>())
        {
            var attempt = ReferenceFraudStateStore.AttemptFeatures.Contains(FraudFeatures.WireName(feature));
            Assert.Equal(attempt, FraudFeatures.IsAttemptEvidence(feature));
            Assert.True(!attempt || FraudFeatures.IsEvidence(feature), feature + " is an attempt but not evidence");
        }
    }

    [Fact]
    public void Describe_EveryFeature_ExportsItsWireName()
    {
        var store = new InMemoryFraudStateStore(1_000);
        var batch = new FraudStateBatch();
        var subject = SubjectKey.ForAsn(64500);
        var at = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        foreach (var feature in Enum.GetValues<FraudFeature>())
        {
            batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = subject, Feature = feature, At = at, Window = TimeSpan.FromHours(1), Amount = 1 });
        }

        store.ApplyOperations(batch);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            Assert.True(store.Describe(subject, writer));
            writer.WriteEndObject();
        }

        using var json = JsonDocument.Parse(buffer.WrittenMemory);
        var exported = json.RootElement.GetProperty("features").EnumerateArray().Select(static f => f.GetProperty("name").GetString()).ToList();
        Assert.Equal(Pinned.Select(static p => p.WireName), exported);
    }
}
