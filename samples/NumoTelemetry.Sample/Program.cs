using NumoTelemetry.Sample;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;

var builder = WebApplication.CreateBuilder(args);
DevelopmentKey.EnsureConfigured(builder);

// The two lines a site adds (this one and UseNumoTelemetry below).
var numo = builder.Services.AddNumoTelemetry(builder.Configuration.GetSection("NumoTelemetry"))
    .AddGeoIP()        // MaxMind databases dropped into App_Data/geoip (none ship with the sample: a start-up warning says so)
    .AddDns()   // off in appsettings.json: the sample's demo clients use documentation addresses
    .AddDashboard();
if (!string.IsNullOrEmpty(builder.Configuration["NumoTelemetry:Redis:Configuration"]))
{
    numo.AddRedis(); // fleet mode: several instances share fraud state in Redis (NumoTelemetry:Redis; off by default)
}

if (!string.IsNullOrEmpty(builder.Configuration["NumoTelemetry:Dashboard:PostgreSql:ConnectionString"]))
{
    numo.AddDashboardPostgreSql(); // fleet analytics: every instance writes to and reads one dashboard in PostgreSQL (off by default: SQLite)
}

AnalystAccess.Configure(builder);

// Logs, fraud alerts among them (category NumoTelemetry.Alerts), as OpenTelemetry log records; sent over OTLP when
// OTEL_EXPORTER_OTLP_ENDPOINT is set.
builder.Logging.AddOpenTelemetry(logging =>
{
    logging.IncludeFormattedMessage = true;
    if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
    {
        logging.AddOtlpExporter();
    }
});

builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
    .AddNumoTelemetryInstrumentation()
    .AddPrometheusExporter());

var app = builder.Build();
app.UseNumoTelemetry();
app.UseAuthentication();
app.UseAuthorization();

// Real-time, unsuppressed series: served to a scraper on this machine or one holding Sample:MetricsToken, never publicly.
app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: MetricsAccess.Guard, optionsName: null);
SampleSite.Map(app);
AnalystAccess.Map(app);
DemoTraffic.Map(app);
app.MapNumoTelemetryDashboard("/numo");

app.Run();

/// <summary>The sample's entry point (visible to tests that host it).</summary>
public partial class Program;
