using System.Text.Json;
using System.Text.Json.Serialization;
using NumoTelemetry.Dashboard.Query.Models;

namespace NumoTelemetry.Dashboard.Http;

/// <summary>Source-generated JSON for the dashboard API (camelCase, no reflection).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(Overview))]
[JsonSerializable(typeof(TopList))]
[JsonSerializable(typeof(FraudOverview))]
[JsonSerializable(typeof(LiveView))]
[JsonSerializable(typeof(DashboardMeta))]
[JsonSerializable(typeof(FunnelView))]
[JsonSerializable(typeof(ShareLink))]
[JsonSerializable(typeof(SharedView))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
