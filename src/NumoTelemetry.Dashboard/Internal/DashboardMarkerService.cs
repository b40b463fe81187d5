namespace NumoTelemetry.Dashboard;

/// <summary>Registered by <c>AddDashboard</c>, so <c>MapNumoTelemetryDashboard</c> can fail fast when it was not called.</summary>
internal sealed class DashboardMarkerService;
