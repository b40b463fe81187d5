using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Redis.Tests;

public sealed class RedisOptionsTests
{
    [Fact]
    public void Validate_Defaults_RequireConfiguration()
    {
        var result = new RedisOptionsValidator().Validate(null, new RedisOptions());
        Assert.True(result.Failed);
        Assert.Contains("NumoTelemetry:Redis:Configuration", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("numo fraud")]
    [InlineData("numo:*")]
    [InlineData("numo:")]
    [InlineData("")]
    public void Validate_BadKeyPrefix_NamesSetting(string prefix)
    {
        var result = new RedisOptionsValidator().Validate(null, new RedisOptions { Configuration = "127.0.0.1:6379", KeyPrefix = prefix });
        Assert.True(result.Failed);
        Assert.Contains("NumoTelemetry:Redis:KeyPrefix", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OutOfRangeTimeouts_NameEachSetting()
    {
        var result = new RedisOptionsValidator().Validate(null, new RedisOptions
        {
            Configuration = "127.0.0.1:6379",
            ConnectTimeout = TimeSpan.Zero,
            OperationTimeout = TimeSpan.FromMinutes(5),
            BreakDuration = TimeSpan.Zero,
            MaxOperationsPerCall = 1,
            ReplayCapacity = -1,
        });
        foreach (var setting in new[] { "ConnectTimeout", "OperationTimeout", "BreakDuration", "MaxOperationsPerCall", "ReplayCapacity" })
        {
            Assert.Contains("NumoTelemetry:Redis:" + setting, result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_PasswordInBadConfiguration_NotEchoed()
    {
        var result = new RedisOptionsValidator().Validate(null, new RedisOptions { Configuration = "127.0.0.1:6379,password=hunter2,connectTimeout=abc" });
        Assert.True(result.Failed);
        Assert.DoesNotContain("hunter2", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRedis_NoConfiguration_StartupFailsNamingTheSetting()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddNumoTelemetry(o => o.Pseudonymization.Keys["1"] = KeyRing.GenerateKey()).AddRedis();
        await using var app = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("NumoTelemetry:Redis:Configuration", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRedis_ConfigurationSection_BindsAndReplacesStoreAndDeduplicator()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NumoTelemetry:Pseudonymization:Keys:1"] = KeyRing.GenerateKey(),
            ["NumoTelemetry:Redis:Configuration"] = "127.0.0.1:" + RedisServer.FreePort(),
            ["NumoTelemetry:Redis:KeyPrefix"] = "shop:fraud",
            ["NumoTelemetry:Redis:ConnectTimeout"] = "00:00:00.2",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddNumoTelemetry(configuration.GetSection("NumoTelemetry")).AddRedis(o => o.BreakDuration = TimeSpan.FromSeconds(9));
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<RedisOptions>>().Value;
        Assert.Equal("shop:fraud", options.KeyPrefix);
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(9), options.BreakDuration);
        Assert.IsType<RedisFraudStateStore>(provider.GetRequiredService<IFraudStateStore>());
        Assert.True(provider.GetRequiredService<IFraudStateStore>().IsShared);
        Assert.IsType<RedisAlertDeduplicator>(provider.GetRequiredService<IAlertDeduplicator>());
    }

    [Fact]
    public void CreateConfiguration_OptionsTimeouts_WinAndNeverAbort()
    {
        var config = RedisConnection.CreateConfiguration(new RedisOptions { Configuration = "127.0.0.1:6379,connectTimeout=60000,abortConnect=true", ConnectTimeout = TimeSpan.FromMilliseconds(700), OperationTimeout = TimeSpan.FromMilliseconds(300) });
        Assert.False(config.AbortOnConnectFail);
        Assert.Equal(700, config.ConnectTimeout);
        Assert.Equal(300, config.AsyncTimeout);
        Assert.Equal(300, config.SyncTimeout);
    }
}
