using NumoTelemetry.Records;

namespace NumoTelemetry.RequestLog;

/// <summary>
/// Decides, beside the request-log writer on the pipeline thread, which records are not written (a subject being erased) and
/// when the writer's files are sealed; made per writer by an <see cref="IRequestLogGateFactory"/> the host registers.
/// </summary>
internal interface IRequestLogGate : IDisposable
{
    /// <summary>Looks for work (at most once a second; the first call always looks); called before lines are written and at each flush.</summary>
    void Check();

    /// <summary>Whether <paramref name="record"/> must not be written.</summary>
    bool IsErased(in RequestRecord record);
}

/// <summary>Makes the <see cref="IRequestLogGate"/> of a writer.</summary>
internal interface IRequestLogGateFactory
{
    /// <summary>The gate of the writer of <paramref name="directory"/>.</summary>
    IRequestLogGate Create(string directory, JsonLinesFileWriter file, Microsoft.Extensions.Logging.ILogger logger);
}
