namespace NumoTelemetry.Pseudonymization;

/// <summary>Keys and lifetimes of pseudonyms.</summary>
public sealed class PseudonymizationOptions
{
    /// <summary>
    /// The key ring: key id (a number from 1 to 65535, as text) to a base64 secret of at least
    /// 32 bytes, for example <c>"Keys": { "1": "q83v...=" }</c>. Make one with <c>numo keygen</c>.
    /// Keep old keys while their pseudonyms are needed; delete one to make its pseudonyms
    /// permanently unlinkable (crypto-shredding).
    /// </summary>
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// A JSON key file written by <c>numo keygen</c> (<c>{"currentKeyId":1,"keys":{"1":"..."}}</c>),
    /// merged into <see cref="Keys"/>. Relative paths are resolved against the content root.
    /// </summary>
    /// <value>Default: <see langword="null"/>.</value>
    public string? KeyFile { get; set; }

    /// <summary>
    /// The id of the key that makes new pseudonyms, fixed; 0 means scheduled: the highest id whose
    /// <see cref="KeyActivation"/> time has come (a key without one is active from the start).
    /// </summary>
    /// <value>Default: 0.</value>
    public int CurrentKeyId { get; set; }

    /// <summary>
    /// Rotation with overlap: when each key becomes current (key id to an ISO 8601 time). Distribute a new key
    /// to every node ahead of its time; all nodes switch at that instant, and the old key stays in the ring for
    /// lookups until you delete it. Ignored when <see cref="CurrentKeyId"/> is set.
    /// </summary>
    public Dictionary<string, DateTimeOffset> KeyActivation { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long a fraud pseudonym stays stable (the fraud epoch length).</summary>
    /// <value>Default: 30 days.</value>
    public TimeSpan FraudWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>IPv4 prefix length pseudonymised as the client's network.</summary>
    /// <value>Default: 24.</value>
    public int IPv4PrefixLength { get; set; } = 24;

    /// <summary>IPv6 prefix length pseudonymised as the client's network.</summary>
    /// <value>Default: 48.</value>
    public int IPv6PrefixLength { get; set; } = 48;

    /// <summary>
    /// IPv6 prefix length pseudonymised as the client's IP (the fraud subject <c>ip</c>). A /64 is one subscriber's network:
    /// its 2^64 addresses cost the client nothing, so counted per address a flood from one /64 is a million clients making one
    /// request each. Counted per /64 it is one client making a million (a burst), as an IPv4 address would be. 128 keeps the
    /// whole address.
    /// </summary>
    /// <value>Default: 64.</value>
    public int IPv6AddressPrefixLength { get; set; } = 64;
}
