using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NumoTelemetry.Dashboard.PostgreSql.Internal;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Dashboard.PostgreSql.Tests;

/// <summary>Choosing the store by configuration, and the start-up validation of its options.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public async Task AddDashboardPostgreSql_ConnectionStringConfigured_ReplacesTheSqliteStore()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NumoTelemetry:Pseudonymization:Keys:1"] = KeyRing.GenerateKey(),
            ["NumoTelemetry:Dashboard:PostgreSql:ConnectionString"] = "Host=127.0.0.1;Port=1;Database=numo;Username=numo",
            ["NumoTelemetry:Dashboard:PostgreSql:Schema"] = "fleet_a",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddNumoTelemetry(configuration.GetSection("NumoTelemetry")).AddDashboardPostgreSql().AddDashboard();
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IDashboardStore>();

        Assert.IsType<PostgreSqlDashboardStore>(store);
        Assert.Equal("fleet_a", provider.GetRequiredService<IOptions<PostgreSqlDashboardOptions>>().Value.Schema);
    }

    [Fact]
    public void Validate_MissingConnectionString_NamesTheSetting()
    {
        var result = new PostgreSqlDashboardOptionsValidator().Validate(null, new PostgreSqlDashboardOptions());

        Assert.True(result.Failed);
        Assert.Contains("NumoTelemetry:Dashboard:PostgreSql:ConnectionString", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Public")]
    [InlineData("1abc")]
    [InlineData("a-b")]
    [InlineData("a\"; DROP TABLE x; --")]
    [InlineData("")]
    public void Validate_SchemaNotALowerCaseIdentifier_NamesTheSetting(string schema)
    {
        var result = new PostgreSqlDashboardOptionsValidator().Validate(null, new PostgreSqlDashboardOptions { ConnectionString = "Host=db", Schema = schema });

        Assert.True(result.Failed);
        Assert.Contains("NumoTelemetry:Dashboard:PostgreSql:Schema", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnparsableConnectionString_DoesNotEchoIt()
    {
        var result = new PostgreSqlDashboardOptionsValidator().Validate(null, new PostgreSqlDashboardOptions { ConnectionString = "Host=db;Password=s3cret;NoSuchKeyword=1" });

        Assert.True(result.Failed);
        Assert.DoesNotContain("s3cret", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("NumoTelemetry:Dashboard:PostgreSql:ConnectionString", result.FailureMessage, StringComparison.Ordinal);
    }
}
