using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Capture;
using NumoTelemetry.Fraud;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Hosting;

public class StartupTests
{
    [Fact]
    public void UseNumoTelemetry_WithoutAdd_FailsFastWithHelp()
    {
        var builder = WebApplication.CreateSlimBuilder();
        using var app = builder.Build();
        var ex = Assert.Throws<InvalidOperationException>(() => app.UseNumoTelemetry());
        Assert.Contains("AddNumoTelemetry", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithoutKey_FailsNamingTheSetting()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddNumoTelemetry(new ConfigurationBuilder().Build());
        await using var app = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("NumoTelemetry:Pseudonymization:Keys", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddNumoTelemetry_ConfigurationAndAction_NullArgumentsThrow()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().Build();
        Assert.Throws<ArgumentNullException>("services", () => ((IServiceCollection)null!).AddNumoTelemetry(configuration, _ => { }));
        Assert.Throws<ArgumentNullException>("configuration", () => services.AddNumoTelemetry((IConfiguration)null!, _ => { }));
        Assert.Throws<ArgumentNullException>("configure", () => services.AddNumoTelemetry(configuration, null!));
        Assert.Empty(services);
    }

    [Fact]
    public async Task Start_DisabledWithoutKey_StartsAndServes()
    {
        var settings = new Dictionary<string, string?> { ["Enabled"] = "false" };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddNumoTelemetry(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        await using var app = builder.Build();
        app.UseNumoTelemetry();
        app.MapGet("/", () => "hello");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        Assert.Equal("hello", await client.GetStringAsync("/"));
        Assert.Equal("hello", await client.GetStringAsync("/"));
        await app.StopAsync();
    }

    [Theory]
    [InlineData("Pseudonymization:Keys:1", "short", "NumoTelemetry:Pseudonymization:Keys:1")]
    [InlineData("Pipeline:BatchSize", "0", "NumoTelemetry:Pipeline:BatchSize")]
    [InlineData("Pipeline:QueueCapacity", "3", "NumoTelemetry:Pipeline:QueueCapacity")]
    [InlineData("ClientIp:TrustedProxies:0", "10.0.0.0/77", "NumoTelemetry:ClientIp:TrustedProxies")]
    [InlineData("Capture:PhoneNumberTrustedNetworks:0", "carrier-gateway", "NumoTelemetry:Capture:PhoneNumberTrustedNetworks")]
    [InlineData("Pseudonymization:FraudWindow", "00:00:01", "NumoTelemetry:Pseudonymization:FraudWindow")]
    [InlineData("Capture:DefaultCountryCallingCode", "+44", "NumoTelemetry:Capture:DefaultCountryCallingCode")]
    [InlineData("Enforcement:StatusCode", "200", "NumoTelemetry:Enforcement:StatusCode")]
    [InlineData("RequestLog:RetentionDays", "0", "NumoTelemetry:RequestLog:RetentionDays")]
    [InlineData("Consent:DefaultLevel", "7", "NumoTelemetry:Consent:DefaultLevel")]
    [InlineData("Enforcement:Mode", "9", "NumoTelemetry:Enforcement:Mode")]
    [InlineData("ClientIp:ForwardingHeader", "5", "NumoTelemetry:ClientIp:ForwardingHeader")]
    [InlineData("Enforcement:MinimumBand", "12", "NumoTelemetry:Enforcement:MinimumBand")]
    [InlineData("RequestLog:LoggerLevel", "42", "NumoTelemetry:RequestLog:LoggerLevel")]
    [InlineData("Alerts:LogLevel", "-3", "NumoTelemetry:Alerts:LogLevel")]
    [InlineData("Pseudonymization:Keys:3:Secret", "a key nested one level too deep", "NumoTelemetry:Pseudonymization:Keys:3")]
    [InlineData("Pseudonymization:KeyFile:Path", "numo-keys.json", "NumoTelemetry:Pseudonymization:KeyFile")]
    public async Task Start_NonsensicalSetting_FailsNamingTheSetting(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Pseudonymization:Keys:2"] = KeyRing.GenerateKey(), [key] = value };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddNumoTelemetry(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        await using var app = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_AppSettingsJson_SetsEveryOption()
    {
        var json = """
        {
          "NumoTelemetry": {
            "Enabled": false,
            "Pseudonymization": { "Keys": { "3": "k" }, "KeyFile": "keys.json", "CurrentKeyId": 3, "FraudWindow": "7.00:00:00", "IPv4PrefixLength": 16, "IPv6PrefixLength": 56 },
            "ClientIp": { "TrustedProxies": [ "10.0.0.0/8" ], "UseForwardedHeaders": false, "TrustLoopback": false, "ForwardingHeader": "XForwardedFor", "MaxForwardedHops": 4 },
            "Capture": { "SessionCookieName": "sid", "VisitorCookieName": "vid", "IssueVisitorCookie": false, "VisitorCookieLifetime": "30.00:00:00",
                         "PhoneNumberHeaders": [ "X-MSISDN", "X-Up-Calling-Line-Id" ], "PhoneNumberTrustedNetworks": [ "192.0.2.0/24" ], "DefaultCountryCallingCode": "44", "SiteId": "shop", "MaxPathLength": 100, "MaxInternedValues": 500 },
            "Consent": { "DefaultLevel": "FraudPreventionOnly", "HonorGlobalPrivacyControl": false, "HonorDoNotTrack": false, "CookieName": "cc" },
            "UserAgents": { "RegexesPath": "r.yaml", "CacheSize": 5, "MaxLength": 300, "MatchTimeout": "00:00:00.010" },
            "Pipeline": { "QueueCapacity": 128, "BatchSize": 16, "PollInterval": "00:00:00.200", "FlushInterval": "00:00:05", "ShutdownTimeout": "00:00:03" },
            "RequestLog": { "LoggerEnabled": false, "LoggerLevel": "Warning", "FileEnabled": false, "Directory": "logs", "MaxFileBytes": 10000, "RetentionDays": 3 },
            "Metrics": { "MaxValuesPerTag": 7 },
            "Enforcement": { "Mode": "Block", "MinimumBand": "Alert", "StatusCode": 403 }
          }
        }
        """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddNumoTelemetry(configuration.GetSection("NumoTelemetry"));
        using var provider = services.BuildServiceProvider();
        var o = provider.GetRequiredService<IOptions<NumoTelemetryOptions>>().Value;

        Assert.False(o.Enabled);
        Assert.Equal("k", o.Pseudonymization.Keys["3"]);
        Assert.Equal("keys.json", o.Pseudonymization.KeyFile);
        Assert.Equal(3, o.Pseudonymization.CurrentKeyId);
        Assert.Equal(TimeSpan.FromDays(7), o.Pseudonymization.FraudWindow);
        Assert.Equal(16, o.Pseudonymization.IPv4PrefixLength);
        Assert.Equal(56, o.Pseudonymization.IPv6PrefixLength);
        Assert.Equal(["10.0.0.0/8"], o.ClientIp.TrustedProxies);
        Assert.False(o.ClientIp.UseForwardedHeaders);
        Assert.False(o.ClientIp.TrustLoopback);
        Assert.Equal(4, o.ClientIp.MaxForwardedHops);
        Assert.Equal(ForwardingHeader.XForwardedFor, o.ClientIp.ForwardingHeader);
        Assert.Equal("sid", o.Capture.SessionCookieName);
        Assert.Equal("vid", o.Capture.VisitorCookieName);
        Assert.False(o.Capture.IssueVisitorCookie);
        Assert.Equal(TimeSpan.FromDays(30), o.Capture.VisitorCookieLifetime);
        Assert.Equal(["X-MSISDN", "X-Up-Calling-Line-Id"], o.Capture.PhoneNumberHeaders);
        Assert.Equal(["192.0.2.0/24"], o.Capture.PhoneNumberTrustedNetworks);
        Assert.Equal("44", o.Capture.DefaultCountryCallingCode);
        Assert.Equal("shop", o.Capture.SiteId);
        Assert.Equal(100, o.Capture.MaxPathLength);
        Assert.Equal(500, o.Capture.MaxInternedValues);
        Assert.Equal(ConsentLevel.FraudPreventionOnly, o.Consent.DefaultLevel);
        Assert.False(o.Consent.HonorGlobalPrivacyControl);
        Assert.False(o.Consent.HonorDoNotTrack);
        Assert.Equal("cc", o.Consent.CookieName);
        Assert.Equal("r.yaml", o.UserAgents.RegexesPath);
        Assert.Equal(5, o.UserAgents.CacheSize);
        Assert.Equal(300, o.UserAgents.MaxLength);
        Assert.Equal(TimeSpan.FromMilliseconds(10), o.UserAgents.MatchTimeout);
        Assert.Equal(128, o.Pipeline.QueueCapacity);
        Assert.Equal(16, o.Pipeline.BatchSize);
        Assert.Equal(TimeSpan.FromMilliseconds(200), o.Pipeline.PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), o.Pipeline.FlushInterval);
        Assert.Equal(TimeSpan.FromSeconds(3), o.Pipeline.ShutdownTimeout);
        Assert.False(o.RequestLog.LoggerEnabled);
        Assert.Equal(LogLevel.Warning, o.RequestLog.LoggerLevel);
        Assert.False(o.RequestLog.FileEnabled);
        Assert.Equal("logs", o.RequestLog.Directory);
        Assert.Equal(10000, o.RequestLog.MaxFileBytes);
        Assert.Equal(3, o.RequestLog.RetentionDays);
        Assert.Equal(7, o.Metrics.MaxValuesPerTag);
        Assert.Equal(EnforcementMode.Block, o.Enforcement.Mode);
        Assert.Equal(RiskBand.Alert, o.Enforcement.MinimumBand);
        Assert.Equal(403, o.Enforcement.StatusCode);
    }
}
