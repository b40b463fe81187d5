using NumoTelemetry.Fraud.Detectors;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;
using StackExchange.Redis;

namespace NumoTelemetry.Redis.Tests;

/// <summary>The last observation (last login location): ordering across nodes, and no precise location in Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class ObservationTests(RedisServer server)
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow;

    [SkippableFact]
    public async Task Exchange_OlderObservationArrivesLate_NewerOneStays_BothStores()
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        var redis = TestStores.Create(server.Configuration, TestStores.UniquePrefix("geo-order"));
        var memory = new InMemoryFraudStateStore(1000);
        var subject = TestStores.Subject(SubjectKind.User, 5);
        var newer = Login(T0.AddMinutes(2), 48.86, 2.35);  // Paris, 2 min
        var older = Login(T0.AddMinutes(1), 40.71, -74.01); // New York, 1 min, reported late by a slow node
        var latest = Login(T0.AddMinutes(3), 48.86, 2.35);

        foreach (IFraudStateStore store in new IFraudStateStore[] { redis, memory })
        {
            Assert.Equal(default, await ExchangeAsync(store, subject, newer));
            Assert.Equal(newer.Coarsened(), await ExchangeAsync(store, subject, older)); // the stored point is the answer...
            Assert.Equal(newer.Coarsened(), await ExchangeAsync(store, subject, latest)); // ...and it was not overwritten
        }

        Assert.False(redis.IsFallingBack);
    }

    [SkippableFact]
    public async Task Exchange_PreciseLocation_RedisHoldsItRoundedWithWiderAccuracy()
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        var prefix = TestStores.UniquePrefix("geo-coarse");
        var redis = TestStores.Create(server.Configuration, prefix);
        var subject = TestStores.Subject(SubjectKind.User, 6);
        var precise = Login(T0, 52.520008, 13.404954, accuracyKm: 5);
        await ExchangeAsync(redis, subject, precise);

        await using var mux = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var key = redis.Codec.KeyOf(new StateOperation { Kind = StateOperationKind.Exchange, Subject = subject, Feature = FraudFeature.LastLogin });
        var raw = (byte[])(await mux.GetDatabase().StringGetAsync(key))!;
        Assert.NotNull(raw);
        Assert.True(raw.AsSpan().IndexOf(StateScriptCodec.Pack(new Observation(T0, 7, 9, 64500, Observation.PackCountry("DE"), 52.52, 13.40, 6, NetworkFlags.None))) >= 0, "rounded to 0.01°, accuracy 5 + 1 km");
        Assert.True(raw.AsSpan().IndexOf(BitConverter.GetBytes(52.520008)) < 0, "no precise latitude");
        Assert.True(raw.AsSpan().IndexOf(BitConverter.GetBytes(13.404954)) < 0, "no precise longitude");
        Assert.Equal(precise.Coarsened(), await ExchangeAsync(redis, subject, Login(T0.AddMinutes(1), 52.52, 13.40)));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(49)]
    [InlineData(50)]
    [InlineData(500)]
    public void Coarsened_AnyPoint_MovesLessThanTheAccuracyItAdds(int accuracyKm)
    {
        var random = new Random(accuracyKm);
        for (var i = 0; i < 10_000; i++)
        {
            var o = Login(T0, (random.NextDouble() * 170) - 85, (random.NextDouble() * 360) - 180, accuracyKm);
            var c = o.Coarsened();
            var moved = ImpossibleTravelDetector.GreatCircleKm(o.Latitude, o.Longitude, c.Latitude, c.Longitude);
            Assert.True(moved <= c.AccuracyKm - o.AccuracyKm, $"{o.Latitude},{o.Longitude} moved {moved} km");
            var perDegree = accuracyKm >= 50 ? 10 : 100;
            Assert.Equal(Math.Round(c.Latitude * perDegree), c.Latitude * perDegree, 6); // on the grid
            Assert.Equal(Math.Round(c.Longitude * perDegree), c.Longitude * perDegree, 6);
        }

        Assert.Equal(default(Observation), default(Observation).Coarsened());
    }

    private static Observation Login(DateTimeOffset at, double latitude, double longitude, int accuracyKm = 20) =>
        new(at, 7, 9, 64500, Observation.PackCountry("DE"), latitude, longitude, accuracyKm, NetworkFlags.None);

    private static async Task<Observation> ExchangeAsync(IFraudStateStore store, SubjectKey subject, Observation observation)
    {
        var batch = new FraudStateBatch(2);
        batch.Add(new StateOperation { Kind = StateOperationKind.Exchange, Subject = subject, Feature = FraudFeature.LastLogin, At = observation.At, Window = TimeSpan.FromDays(1), Observation = observation });
        await store.ApplyAsync(batch, CancellationToken.None);
        return batch.Results[0].Previous;
    }
}
