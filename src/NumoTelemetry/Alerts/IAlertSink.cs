namespace NumoTelemetry.Alerts;

/// <summary>
/// Where fraud alerts go: the log, a signed webhook, or your own (register with
/// <c>services.TryAddEnumerable(ServiceDescriptor.Singleton&lt;IAlertSink, MySink&gt;())</c>).
/// </summary>
/// <remarks>
/// Called on the pipeline thread: must not block (queue slow work) and should not throw; an exception is logged and counted,
/// and the other sinks still get the alert.
/// </remarks>
public interface IAlertSink
{
    /// <summary>Delivers (or queues) one alert.</summary>
    void Publish(FraudAlert alert);
}
