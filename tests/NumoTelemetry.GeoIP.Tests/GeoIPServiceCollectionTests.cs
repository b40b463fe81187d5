using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NumoTelemetry.Enrichment;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.GeoIP.Tests;

public sealed class GeoIPServiceCollectionTests
{
    private static IConfigurationSection Configuration(params (string Key, string? Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["NumoTelemetry:Pseudonymization:Keys:1"] = KeyRing.GenerateKey(),
            ["NumoTelemetry:Pseudonymization:CurrentKeyId"] = "1",
            ["NumoTelemetry:RequestLog:FileEnabled"] = "false",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("NumoTelemetry");
    }

    [SkippableFact]
    public async Task AddGeoIP_BoundFromConfiguration_RegistersAStartedEnricher()
    {
        var config = Configuration(("NumoTelemetry:GeoIP:DatabaseDirectory", TestData.RequireMaxMind()), ("NumoTelemetry:GeoIP:WatchForChanges", "false"));
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddNumoTelemetry(config).AddGeoIP();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            Assert.Equal(TestData.MaxMindDirectory, host.Services.GetRequiredService<IOptions<GeoIPOptions>>().Value.DatabaseDirectory);
            var enricher = Assert.Single(host.Services.GetServices<IRequestEnricher>());
            var record = default(RequestRecord);
            enricher.Enrich(ClientAddress.FromIPAddress(IPAddress.Parse("81.2.69.160")), ref record);
            Assert.Equal("GB", record.Geo?.CountryIsoCode);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AddGeoIP_RequiredDatabaseMissing_HostFailsToStartNamingTheSetting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddNumoTelemetry(Configuration()).AddGeoIP(o =>
        {
            o.CityDatabasePath = "/nonexistent/GeoIP2-City.mmdb";
            o.Required = true;
        });
        using var host = builder.Build();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("NumoTelemetry:GeoIP:CityDatabasePath", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddGeoIP_NothingConfigured_FailsValidationAtStartup()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddNumoTelemetry(Configuration()).AddGeoIP();
        using var host = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("NumoTelemetry:GeoIP", ex.Message, StringComparison.Ordinal);
    }
}
