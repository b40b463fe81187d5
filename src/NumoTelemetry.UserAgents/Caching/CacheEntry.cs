namespace NumoTelemetry.UserAgents.Caching;

/// <summary>An immutable cache entry: the full key, its hash and the shared result.</summary>
internal sealed class CacheEntry
{
    public CacheEntry(string key, ulong hash, UserAgentInfo value)
    {
        Key = key;
        Hash = hash;
        Value = value;
    }

    public string Key { get; }

    public ulong Hash { get; }

    public UserAgentInfo Value { get; }
}
