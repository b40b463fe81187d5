namespace NumoTelemetry.Pipeline;

/// <summary>Options of the background pipeline.</summary>
public sealed class PipelineOptions
{
    /// <summary>Capacity of the bounded queue between requests and the pipeline (rounded up to a power of two). When full, records are dropped and counted; requests never wait.</summary>
    /// <value>Default: 65,536.</value>
    public int QueueCapacity { get; set; } = 65_536;

    /// <summary>Maximum records handed to the processors at once.</summary>
    /// <value>Default: 1,024.</value>
    public int BatchSize { get; set; } = 1_024;

    /// <summary>
    /// How long the consumer sleeps after draining the queue. On a busy site it sleeps less, so that each poll finds about
    /// half a <see cref="BatchSize"/> (at least 1 ms): records wait less and fewer request states are held.
    /// </summary>
    /// <value>Default: 50 ms.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How often processors are flushed while traffic is idle.</summary>
    /// <value>Default: 1 second.</value>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound on draining the queue at shutdown.</summary>
    /// <value>Default: 10 seconds.</value>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
