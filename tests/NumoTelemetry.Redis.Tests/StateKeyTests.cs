using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Redis.Tests;

public sealed class StateKeyTests
{
    [Fact]
    public void KeyOf_EveryFeature_EndsWithItsWireName()
    {
        var codec = new StateScriptCodec("numo:fraud");
        var subject = SubjectKey.ForAsn(64500);
        foreach (var feature in Enum.GetValues<FraudFeature>())
        {
            var key = codec.KeyOf(new StateOperation { Kind = StateOperationKind.Increment, Subject = subject, Feature = feature });
            Assert.Equal("numo:fraud:asn:64500:" + FraudFeatures.WireName(feature), key);
        }
    }

    [Fact]
    public void KeyOf_FailedAccounts_IsTheKeyStoredSoFar()
    {
        // The layout a fleet's Redis already holds: {prefix}:{kind}:{subject}:{name}.
        var codec = new StateScriptCodec("numo:fraud");
        var key = codec.KeyOf(new StateOperation { Kind = StateOperationKind.AddDistinct, Subject = SubjectKey.ForAsn(64500), Feature = FraudFeature.FailedUsers });
        Assert.Equal("numo:fraud:asn:64500:fail.users", key);
    }
}
