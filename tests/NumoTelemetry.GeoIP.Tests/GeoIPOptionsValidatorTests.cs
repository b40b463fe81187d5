namespace NumoTelemetry.GeoIP.Tests;

public sealed class GeoIPOptionsValidatorTests
{
    [Fact]
    public void Validate_NoDatabaseConfigured_FailsNamingTheSettings()
    {
        var result = new GeoIPOptionsValidator().Validate(null, new GeoIPOptions());
        Assert.True(result.Failed);
        Assert.Contains("NumoTelemetry:GeoIP", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("CityDatabasePath", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadCacheSizeAndDelay_NamesEachSetting()
    {
        var result = new GeoIPOptionsValidator().Validate(null, new GeoIPOptions { CityDatabasePath = "x.mmdb", CacheSize = 1, ReloadDelay = TimeSpan.FromHours(1) });
        Assert.Contains("NumoTelemetry:GeoIP:CacheSize", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("NumoTelemetry:GeoIP:ReloadDelay", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Disabled_Succeeds() =>
        Assert.True(new GeoIPOptionsValidator().Validate(null, new GeoIPOptions { Enabled = false }).Succeeded);

    [Fact]
    public void Validate_DirectoryOnly_Succeeds() =>
        Assert.True(new GeoIPOptionsValidator().Validate(null, new GeoIPOptions { DatabaseDirectory = "geoip" }).Succeeded);
}
