using System.Runtime.CompilerServices;

namespace NumoTelemetry.Records;

/// <summary>Inline storage for up to <see cref="RequestRecord.MaxSignals"/> signals of one request.</summary>
[InlineArray(RequestRecord.MaxSignals)]
public struct SignalBuffer
{
    private AppSignal _element0;
}
