namespace NumoTelemetry.Dns;

/// <summary>What reverse DNS found for an address.</summary>
internal enum ReverseDnsStatus : byte
{
    /// <summary>Resolution is queued or running.</summary>
    Pending = 0,

    /// <summary>A PTR name whose A/AAAA records contain the address (FCrDNS).</summary>
    Confirmed = 1,

    /// <summary>PTR names exist but none resolves back to the address.</summary>
    NotConfirmed = 2,

    /// <summary>No PTR record.</summary>
    NoName = 3,

    /// <summary>DNS failed (timeout, server failure): unknown.</summary>
    Failed = 4,
}
