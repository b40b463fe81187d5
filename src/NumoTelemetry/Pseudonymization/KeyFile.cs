using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NumoTelemetry.Pseudonymization;

/// <summary>
/// The key file format written by <c>numo keygen</c>:
/// <c>{"currentKeyId": 1, "keys": {"1": "base64 secret"}}</c>. Keep it out of source control.
/// </summary>
public sealed class KeyFile
{
    /// <summary>The current key id, or 0 for the highest.</summary>
    public int CurrentKeyId { get; init; }

    /// <summary>Key id (as text) to base64 secret.</summary>
    public IReadOnlyDictionary<string, string> Keys { get; init; } = new Dictionary<string, string>();

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

        return new KeyFile { CurrentKeyId = current, Keys = keys };
    }

    /// <summary>A new key file text with one fresh random key (id 1), or an added key when <paramref name="existing"/> is given.</summary>
    public static string Generate(KeyFile? existing = null)
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
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("currentKeyId", newId);
            writer.WriteStartObject("keys");
            foreach (var (id, secret) in keys)
            {
                writer.WriteString(id.ToString(CultureInfo.InvariantCulture), secret);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
