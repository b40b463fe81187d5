using NumoTelemetry.Records;

namespace NumoTelemetry.Dns;

/// <summary>An address waiting for resolution. The raw address lives only in this in-process queue; the result is cached by pseudonym.</summary>
internal readonly record struct ReverseDnsWorkItem(Pseudonym Ip, ClientAddress Address);
