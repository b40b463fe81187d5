using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
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

    /// <summary>
    /// Writes a key file readable and writable by its owner only (mode 0600 on Unix) from the moment it exists: the text goes to a
    /// new temporary file created with that mode in the same directory, which is then renamed to <paramref name="path"/>, so no
    /// reader ever sees a partial file or a wider mode. Without <paramref name="overwrite"/> an existing file is left as it is and
    /// <see cref="IOException"/> is thrown. On Windows the file gets its directory's access rules.
    /// </summary>
    public static void Write(string path, string text, bool overwrite = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(text);
        var full = Path.GetFullPath(path);
        if (!overwrite && File.Exists(full))
        {
            throw new IOException($"The key file {full} already exists.");
        }

        var temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(Encoding.UTF8.GetBytes(text));
                stream.Flush(flushToDisk: true);
            }

            // Without overwrite, Move refuses a file that appeared meanwhile (checked just before the rename: two writers of the
            // same new path at the same instant can still replace one another; each file is whole and 0600 either way).
            File.Move(temp, full, overwrite);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Reads a key file. A member of the wrong JSON kind (a key that is not a string, a <c>currentKeyId</c> that is not a whole
    /// number from 0 to 65535, an activation time that is not an ISO 8601 string) throws <see cref="FormatException"/> naming it
    /// (<c>keys.1</c>, <c>currentKeyId</c>, <c>activation.2</c>); unknown members are ignored.
    /// </summary>
    public static KeyFile Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var doc = JsonDocument.Parse(stream);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"The key file must be a JSON object {{\"currentKeyId\": 1, \"keys\": {{\"1\": \"base64\"}}}}, not {Kind(root)}.");
        }

        var current = 0;
        if (root.TryGetProperty("currentKeyId", out var c)
            && (c.ValueKind != JsonValueKind.Number || !c.TryGetInt32(out current) || current is < 0 or > ushort.MaxValue))
        {
            throw new FormatException($"\"currentKeyId\" must be a whole number from 0 to 65535, not {Kind(c)}.");
        }

        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in Members(root, "keys"))
        {
            keys[p.Name] = p.Value.ValueKind == JsonValueKind.String
                ? p.Value.GetString()!
                : throw new FormatException($"\"keys.{p.Name}\" must be a string (the base64 secret), not {Kind(p.Value)}.");
        }

        var activation = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var p in Members(root, "activation"))
        {
            activation[p.Name] = p.Value.ValueKind == JsonValueKind.String && p.Value.TryGetDateTimeOffset(out var at)
                ? at
                : throw new FormatException($"\"activation.{p.Name}\" must be an ISO 8601 time string, not {Kind(p.Value)}.");
        }

        return new KeyFile { CurrentKeyId = current, Keys = keys, Activation = activation };
    }

    /// <summary>The members of an object-valued member of the root; none when it is missing.</summary>
    private static IEnumerable<JsonProperty> Members(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return [];
        }

        return value.ValueKind == JsonValueKind.Object
            ? value.EnumerateObject()
            : throw new FormatException($"\"{name}\" must be an object of key id to value, not {Kind(value)}.");
    }

    /// <summary>What a value is, for a message; never a secret (a string is described, not quoted).</summary>
    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true or false",
        _ => "null",
    };

    /// <summary>
    /// A new key file text with one fresh random key (id 1), or an added key when <paramref name="existing"/> is given.
    /// With <paramref name="activateAt"/>, the new key becomes current at that time on every node (scheduled rotation);
    /// without it, the new key is current at once.
    /// </summary>
    // Long because: the key file's JSON written in one pass, existing keys first, with the schedule.
    public static string Generate(KeyFile? existing = null, DateTimeOffset? activateAt = null)
    {
        var keys = new SortedDictionary<int, string>();
        if (existing is not null)
        {
            foreach (var (id, secret) in existing.Keys)
            {
                keys[KeyId(id, "keys")] = secret;
            }
        }

        var newId = keys.Count == 0 ? 1 : keys.Keys.Max() + 1;
        if (newId > ushort.MaxValue)
        {
            throw new InvalidOperationException($"The key file already holds key id {ushort.MaxValue}, the highest a key id can be (1 to {ushort.MaxValue}): no key can be added after it.");
        }

        keys[newId] = KeyRing.GenerateKey();
        var activation = new SortedDictionary<int, DateTimeOffset>();
        if (existing is not null)
        {
            foreach (var (id, at) in existing.Activation)
            {
                activation[KeyId(id, "activation")] = at;
            }
        }

        if (activateAt is { } when)
        {
            activation[newId] = when.ToUniversalTime();
        }
        using var buffer = new MemoryStream();
        // Base64 as is: the default encoder writes '+' as \u002B, and a secret copied from the file into an environment variable
        // or a secret store would then not be base64. Only base64, numbers and ISO 8601 times are written.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
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

    private static int KeyId(string id, string member) =>
        ushort.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var keyId) && keyId != 0
            ? keyId
            : throw new FormatException($"\"{member}.{id}\": the key id \"{id}\" is not a number from 1 to {ushort.MaxValue}.");
}
