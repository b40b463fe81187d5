namespace NumoTelemetry.Hosting;

/// <summary>Registered by <c>AddNumoTelemetry</c> so that <c>UseNumoTelemetry</c> can tell it was called.</summary>
internal sealed class NumoTelemetryMarkerService;
