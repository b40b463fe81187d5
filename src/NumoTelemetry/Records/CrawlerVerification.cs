namespace NumoTelemetry.Records;

/// <summary>The result of verifying a client that claims to be a well-known crawler.</summary>
public enum CrawlerVerification : byte
{
    /// <summary>The User-Agent claims no verifiable crawler.</summary>
    NotClaimed = 0,

    /// <summary>Verification is running in the background; not known yet.</summary>
    Pending = 1,

    /// <summary>Reverse DNS and forward confirmation match the crawler's documented domains.</summary>
    Verified = 2,

    /// <summary>The claim is false: a fake crawler (a fraud signal).</summary>
    Failed = 3,

    /// <summary>DNS failed or timed out: unknown, never treated as failed.</summary>
    Unknown = 4,
}
