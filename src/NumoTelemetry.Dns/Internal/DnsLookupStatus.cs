namespace NumoTelemetry.Dns;

/// <summary>Outcome of one DNS question.</summary>
internal enum DnsLookupStatus
{
    /// <summary>Records were returned.</summary>
    Found = 0,

    /// <summary>A definitive negative: the name does not exist or has no records of the type.</summary>
    NotFound = 1,

    /// <summary>No answer: timeout, server failure, refused, network error. Never treated as a negative.</summary>
    Failed = 2,
}
