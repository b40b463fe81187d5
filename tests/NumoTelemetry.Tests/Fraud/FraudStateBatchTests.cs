using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Tests.Fraud;

public class FraudStateBatchTests
{
    [Fact]
    public void Append_AfterClear_SlotOfAFullOperation_HasOnlyTheNewCommonFields()
    {
        var batch = new FraudStateBatch(capacity: 16);
        var at = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        var old = new StateOperation
        {
            Kind = StateOperationKind.AddScore,
            Subject = SubjectKey.ForAsn(64500),
            Feature = FraudFeature.Score,
            At = at,
            Window = TimeSpan.FromHours(1),
            Amount = 7,
            Element = 42,
            Observation = new Observation(at, 1, 2, 64500, 250, 48.85, 2.35, 20, default),
            Points = 12.5,
            Reason = "credential_stuffing",
        };
        batch.Add(old);
        batch.Clear();

        ref var op = ref batch.Append(StateOperationKind.Increment, SubjectKey.ForAsn(64501), FraudFeature.Requests, at.AddSeconds(1), TimeSpan.FromMinutes(1), out var index);

        Assert.Equal(0, index);
        Assert.Equal(1, batch.Count);
        Assert.Equal(StateOperationKind.Increment, op.Kind);
        Assert.Equal(SubjectKey.ForAsn(64501), op.Subject);
        Assert.Equal(FraudFeature.Requests, op.Feature);
        Assert.Equal(at.AddSeconds(1), op.At);
        Assert.Equal(TimeSpan.FromMinutes(1), op.Window);
        Assert.Equal(0, op.Amount);
        Assert.Equal(0UL, op.Element);
        Assert.Equal(default, op.Observation);
        Assert.Equal(0, op.Points);
        Assert.Null(op.Reason);
        Assert.Equal(default, batch.Results[0]);
    }
}
