using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Redis.Tests;

/// <summary><c>numo forget-key</c>: the built CLI, run as a process against the test's redis-server.</summary>
[Collection(RedisCollection.Name)]
public sealed class ForgetKeyCommandTests(RedisServer server)
{

    [SkippableFact]
    public async Task ForgetKey_DestroyedKey_ErasesItsFleetStateOnly()
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        Skip.If(NumoTool.Dll is null, NumoTool.MissingMessage);
        var prefix = TestStores.UniquePrefix("cli-forget");
        var store = TestStores.Create(server.Configuration, prefix);
        var batch = new FraudStateBatch(16);
        var at = DateTimeOffset.UtcNow;
        foreach (var subject in new[] { TestStores.Subject(SubjectKind.Ip, 1, keyId: 7), TestStores.Subject(SubjectKind.User, 2, keyId: 7), TestStores.Subject(SubjectKind.Ip, 1, keyId: 8) })
        {
            batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = subject, Feature = FraudFeature.Requests, At = at, Window = TimeSpan.FromMinutes(5), Amount = 1 });
        }

        await store.ApplyAsync(batch, CancellationToken.None);
        Assert.False(store.IsFallingBack);

        var (exit, output) = await NumoTool.RunAsync("forget-key", "--redis", server.Configuration, "--key-id", "7", "--key-prefix", prefix);

        Assert.True(exit == 0, output);
        Assert.Contains("Erased 2 keys of pseudonymisation key 7", output, StringComparison.Ordinal);
        var left = await TestStores.ScanAsync(server.Configuration, prefix);
        Assert.DoesNotContain(left, k => k.Key.Contains(":k7.", StringComparison.Ordinal));
        Assert.Single(left, k => k.Key.Contains(":k8.", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task ForgetKey_RedisUnreachable_FailsWithExitCode1()
    {
        Skip.If(NumoTool.Dll is null, NumoTool.MissingMessage);
        var (exit, output) = await NumoTool.RunAsync("forget-key", "--redis", "127.0.0.1:" + RedisServer.FreePort() + ",connectTimeout=300", "--key-id", "7");
        Assert.True(exit == 1, output);
        Assert.Contains("unreachable", output, StringComparison.Ordinal);
    }
}
