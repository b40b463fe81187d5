using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NumoTelemetry.Pseudonymization;

/// <summary>
/// The key file format written by <c>numo keygen</c>:
/// <c>{"currentKeyId": 1, "keys": {"1": "base64 secret"}}</c>, optionally with
/// <c>"activation": {"2": "2026-12-01T00:00:00Z"}</c> and <c>"currentKeyId": 0</c> for a scheduled rotation.
/// Keep it out of source control.
/// </summary>
public sealed class KeyFile
{
    /// <summary>The current key id, or 0 for the highest.</summary>
    public int CurrentKeyId { get; init; }

    /// <summary>Key id (as text) to base64 secret.</summary>
    public IReadOnlyDictionary<string, string> Keys { get; init; } = new Dictionary<string, string>();

    /// <summary>Key id (as text) to the time it becomes current (scheduled rotation).</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> Activation { get; init; } = new Dictionary<string, DateTimeOffset>();

    /// <summary>Reads a key file.</summary>
    public static KeyFile Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var doc = JsonDocument.Parse(stream);
        var root = doc.RootElement;
        var current = root.TryGetProperty("currentKeyId", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : 0;
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("keys", out var k) && k.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in k.EnumerateObject())
            {
                keys[p.Name] = p.Value.GetString() ?? string.Empty;
            }
        }

        var activation = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        if (root.TryGetProperty("activation", out var a) && a.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in a.EnumerateObject())
            {
                activation[p.Name] = p.Value.GetDateTimeOffset();
            }
        }

        return new KeyFile { CurrentKeyId = current, Keys = keys, Activation = activation };
    }

    /// <summary>
    /// A new key file text with one fresh random key (id 1), or an added key when <paramref name="existing"/> is given.
    /// With <paramref name="activateAt"/>, the new key becomes current at that time on every node (scheduled rotation);
    /// without it, the new key is current at once.
    /// </summary>
    public static string Generate(KeyFile? existing = null, DateTimeOffset? activateAt = null)
    {
        var keys = new SortedDictionary<int, string>();
        if (existing is not null)
        {
            foreach (var (id, secret) in existing.Keys)
            {
                keys[int.Parse(id, CultureInfo.InvariantCulture)] = secret;
            }
        }

        var newId = keys.Count == 0 ? 1 : keys.Keys.Max() + 1;
        keys[newId] = KeyRing.GenerateKey();
        var activation = new SortedDictionary<int, DateTimeOffset>();
        if (existing is not null)
        {
            foreach (var (id, at) in existing.Activation)
            {
                activation[int.Parse(id, CultureInfo.InvariantCulture)] = at;
            }
        }

        if (activateAt is { } when)
        {
            activation[newId] = when.ToUniversalTime();
        }
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("currentKeyId", activation.Count > 0 ? 0 : newId);
            writer.WriteStartObject("keys");
            foreach (var (id, secret) in keys)
            {
                writer.WriteString(id.ToString(CultureInfo.InvariantCulture), secret);
            }

            writer.WriteEndObject();
            if (activation.Count > 0)
            {
                writer.WriteStartObject("activation");
                foreach (var (id, at) in activation)
                {
                    writer.WriteString(id.ToString(CultureInfo.InvariantCulture), at);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
