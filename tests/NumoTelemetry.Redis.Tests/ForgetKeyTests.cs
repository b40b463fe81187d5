using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Redis.Tests;

[Collection(RedisCollection.Name)]
public sealed class ForgetKeyTests(RedisServer server)
{
    [SkippableFact]
    public async Task ForgetKeyAsync_DestroyedKey_UnlinksItsKeysOnly()
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        var prefix = TestStores.UniquePrefix("forget");
        var store = TestStores.Create(server.Configuration, prefix);
        var batch = new FraudStateBatch(64);
        var at = DateTimeOffset.UtcNow;
        foreach (var subject in new[] { TestStores.Subject(SubjectKind.Ip, 1, keyId: 3), TestStores.Subject(SubjectKind.User, 2, keyId: 3), TestStores.Subject(SubjectKind.Ip, 1, keyId: 4), SubjectKey.ForAsn(64_501) })
        {
            batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = subject, Feature = FraudFeature.Requests, At = at, Window = TimeSpan.FromMinutes(5), Amount = 1 });
            batch.Add(new StateOperation { Kind = StateOperationKind.AddMember, Subject = subject, Feature = FraudFeature.Devices, At = at, Window = TimeSpan.FromMinutes(5), Element = 42 });
        }

        await store.ApplyAsync(batch, CancellationToken.None);
        Assert.Equal(8, (await TestStores.ScanAsync(server.Configuration, prefix)).Count(k => !k.Key.StartsWith(prefix + ":applied:", StringComparison.Ordinal)));

        await store.ForgetKeyAsync(3, CancellationToken.None);

        var left = (await TestStores.ScanAsync(server.Configuration, prefix)).Where(k => !k.Key.StartsWith(prefix + ":applied:", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, left.Count);
        Assert.DoesNotContain(left, k => k.Key.Contains(":k3.", StringComparison.Ordinal));
        Assert.Equal(2, left.Count(k => k.Key.Contains(":k4.", StringComparison.Ordinal)));
        Assert.Equal(2, left.Count(k => k.Key.StartsWith(prefix + ":asn:64501:", StringComparison.Ordinal)));
    }
}
