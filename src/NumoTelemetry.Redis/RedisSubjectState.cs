using System.Text.Json;
using NumoTelemetry.Fraud.State;
using StackExchange.Redis;

namespace NumoTelemetry.Redis;

/// <summary>
/// One subject's keys in the fleet's Redis: its state (<c>{prefix}:{kind}:{subject}:{name}[...]</c>) and its alert claims
/// (<c>{prefix}:alert:{kind}:{subject}:{rule}</c>), found with one SCAN of every primary (never KEYS), described (values decoded
/// from the scripts' MessagePack by Redis itself) and erased with UNLINK. Used by the store on the running site and by
/// <c>numo subject</c>.
/// </summary>
internal static class RedisSubjectState
{
    // The state values are MessagePack (Scripts/apply.lua); Redis decodes them into JSON for an export.
    private const string DecodeScript = """
        local v = redis.call('GET', KEYS[1])
        if not v then return false end
        local ok, t = pcall(cmsgpack.unpack, v)
        if not ok then return false end
        local ok2, json = pcall(cjson.encode, t)
        if ok2 then return json end
        return false
        """;

    /// <summary>The keys of <paramref name="subjects"/> under <paramref name="prefix"/>.</summary>
    public static async Task<List<RedisKey>> FindAsync(IConnectionMultiplexer multiplexer, IDatabase database, string prefix, IReadOnlyCollection<SubjectKey> subjects, CancellationToken cancellationToken)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var subject in subjects)
        {
            if (!subject.IsEmpty && subject.Kind != SubjectKind.Asn)
            {
                wanted.Add(SubjectKey.KindName(subject.Kind) + ":" + subject.ToString());
            }
        }

        var keys = new List<RedisKey>();
        if (wanted.Count == 0)
        {
            return keys;
        }

        var start = prefix + ":";
        foreach (var server in multiplexer.GetServers())
        {
            if (!server.IsConnected || server.IsReplica)
            {
                continue;
            }

            await foreach (var key in server.KeysAsync(database.Database, start + "*", pageSize: 1000).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var text = (string?)key;
                if (text is not null && IsSubjects(text.AsSpan(start.Length), wanted))
                {
                    keys.Add(key);
                }
            }
        }

        keys.Sort(static (a, b) => string.CompareOrdinal(a, b));
        return keys;
    }

    /// <summary>Whether a key (after the prefix) is the state or an alert claim of one of the wanted <c>kind:subject</c>.</summary>
    private static bool IsSubjects(ReadOnlySpan<char> rest, HashSet<string> wanted)
    {
        if (rest.StartsWith("alert:", StringComparison.Ordinal))
        {
            rest = rest[6..];
        }

        var first = rest.IndexOf(':');
        if (first < 0)
        {
            return false;
        }

        var second = rest[(first + 1)..].IndexOf(':');
        var kindAndSubject = second < 0 ? rest : rest[..(first + 1 + second)];
        return wanted.GetAlternateLookup<ReadOnlySpan<char>>().Contains(kindAndSubject);
    }

    /// <summary>Writes one JSON object per key into the open array: the key, its time to live and its value.</summary>
    public static async Task DescribeAsync(IDatabase database, IReadOnlyList<RedisKey> keys, Utf8JsonWriter writer)
    {
        foreach (var key in keys)
        {
            var ttl = await database.KeyTimeToLiveAsync(key).ConfigureAwait(false);
            var decoded = await database.ScriptEvaluateAsync(DecodeScript, [key]).ConfigureAwait(false);
            writer.WriteStartObject();
            writer.WriteString("key", (string?)key);
            if (ttl is { } t)
            {
                writer.WriteNumber("ttlMs", (long)t.TotalMilliseconds);
            }

            if (!decoded.IsNull && (string?)decoded is { } json && IsJson(json))
            {
                writer.WritePropertyName("value");
                writer.WriteRawValue(json);
            }
            else
            {
                var raw = await database.StringGetAsync(key).ConfigureAwait(false);
                if (raw.HasValue)
                {
                    writer.WriteString("valueBase64", Convert.ToBase64String((byte[])raw!));
                }
            }

            writer.WriteEndObject();
        }
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Erases the keys (UNLINK in pages); returns how many existed.</summary>
    public static async Task<long> UnlinkAsync(IDatabase database, IReadOnlyList<RedisKey> keys)
    {
        long erased = 0;
        for (var i = 0; i < keys.Count; i += 512)
        {
            var page = new object[Math.Min(512, keys.Count - i)];
            for (var j = 0; j < page.Length; j++)
            {
                page[j] = keys[i + j];
            }

            erased += (long)await database.ExecuteAsync("UNLINK", page).ConfigureAwait(false);
        }

        return erased;
    }

    /// <summary>
    /// The fleet's allow and deny list entries (fields of <c>{prefix}:lists</c>) whose subject is one of
    /// <paramref name="subjects"/>: their ids and the entries as stored (JSON). One HSCAN of the hash.
    /// </summary>
    public static async Task<List<KeyValuePair<string, string>>> FindListEntriesAsync(IDatabase database, string prefix, IReadOnlyCollection<SubjectKey> subjects, CancellationToken cancellationToken)
    {
        var wanted = new HashSet<SubjectKey>(subjects);
        var found = new List<KeyValuePair<string, string>>();
        await foreach (var field in database.HashScanAsync(prefix + ":lists", pageSize: 1000).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (RedisFraudLists.TryParse(field.Value, out _, out var subject) && !subject.IsEmpty && wanted.Contains(subject))
            {
                found.Add(new((string)field.Name!, (string)field.Value!));
            }
        }

        found.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return found;
    }

    /// <summary>
    /// Removes list entries by id and tells every node (<c>del {id}</c> on <c>{prefix}:lists:changes</c>, as a removal in the
    /// workspace does), so each node's fraud engine drops them at once; returns how many were stored.
    /// </summary>
    public static async Task<int> RemoveListEntriesAsync(IDatabase database, string prefix, IEnumerable<string> ids)
    {
        var removed = 0;
        var channel = RedisChannel.Literal(prefix + ":lists:changes");
        foreach (var id in ids)
        {
            if (await database.HashDeleteAsync(prefix + ":lists", id).ConfigureAwait(false))
            {
                removed++;
            }

            await database.PublishAsync(channel, "del " + id).ConfigureAwait(false);
        }

        return removed;
    }
}
