using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NumoTelemetry.Dashboard.PostgreSql.Internal;
using NumoTelemetry.Metrics;

namespace NumoTelemetry.Dashboard.PostgreSql.Tests;

/// <summary>Builds PostgreSQL stores for tests, each in its own schema.</summary>
internal static class TestStores
{
    public static string UniqueSchema(string name) => "t_" + new string(name.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_').ToArray()) + "_" + Guid.NewGuid().ToString("N")[..8];

    public static PostgreSqlDashboardStore Open(
        string connectionString,
        string schema,
        Action<PostgreSqlDashboardOptions>? configure = null,
        ILogger<PostgreSqlDashboardStore>? logger = null,
        NumoTelemetryMetrics? metrics = null,
        TimeProvider? time = null)
    {
        var options = new PostgreSqlDashboardOptions { ConnectionString = connectionString, Schema = schema, ShutdownTimeout = TimeSpan.FromSeconds(10) };
        configure?.Invoke(options);
        var validation = new PostgreSqlDashboardOptionsValidator().Validate(null, options);
        Assert.True(validation.Succeeded, validation.FailureMessage);
        return new PostgreSqlDashboardStore(Options.Create(options), logger ?? NullLogger<PostgreSqlDashboardStore>.Instance, time, metrics);
    }

    /// <summary>Waits (bounded) until the store's outbox is written.</summary>
    public static async Task SettleAsync(PostgreSqlDashboardStore store)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await store.FlushAsync(timeout.Token);
    }
}
