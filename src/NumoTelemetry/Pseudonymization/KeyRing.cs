using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace NumoTelemetry.Pseudonymization;

/// <summary>
/// The master keys of pseudonymisation, each with a numeric id; one is current. Keys never leave
/// this object: pseudonyms carry only the key id.
/// </summary>
internal sealed class KeyRing
{
    /// <summary>The minimum key length in bytes.</summary>
    public const int MinimumKeyBytes = 32;

    private readonly Dictionary<ushort, byte[]> _keys;
    private readonly ushort _fixedKeyId;
    private readonly (long FromUnixMs, ushort KeyId)[] _schedule;

    private KeyRing(Dictionary<ushort, byte[]> keys, ushort currentKeyId, (long, ushort)[] schedule)
    {
        _keys = keys;
        _fixedKeyId = currentKeyId;
        _schedule = schedule;
        var ids = new ushort[keys.Count];
        keys.Keys.CopyTo(ids, 0);
        Array.Sort(ids);
        KeyIds = ids;
    }

    /// <summary>The id of the key that makes new pseudonyms now.</summary>
    public ushort CurrentKeyId => KeyIdAt(DateTimeOffset.UtcNow);

    /// <summary>The id of the key that made (or makes) pseudonyms at <paramref name="at"/>.</summary>
    public ushort KeyIdAt(DateTimeOffset at)
    {
        if (_fixedKeyId != 0)
        {
            return _fixedKeyId;
        }

        // Schedule sorted by activation time; the highest key id among the active ones wins.
        var ms = at.ToUnixTimeMilliseconds();
        var schedule = _schedule;
        ushort best = 0;
        for (var i = 0; i < schedule.Length && schedule[i].FromUnixMs <= ms; i++)
        {
            if (schedule[i].KeyId > best)
            {
                best = schedule[i].KeyId;
            }
        }

        return best != 0 ? best : schedule[0].KeyId;
    }

    /// <summary>All key ids, ascending.</summary>
    public IReadOnlyList<ushort> KeyIds { get; }

    internal ReadOnlySpan<byte> GetKey(ushort keyId) =>
        _keys.TryGetValue(keyId, out var key) ? key : throw new KeyNotFoundException($"Key id {keyId} is not in the key ring (it may have been removed: crypto-shredded).");

    /// <summary>Whether the ring holds <paramref name="keyId"/>.</summary>
    public bool Contains(ushort keyId) => _keys.ContainsKey(keyId);

    /// <summary>Creates a ring from explicit keys (id to secret bytes), optionally with activation times (see <see cref="PseudonymizationOptions.KeyActivation"/>).</summary>
    public static KeyRing Create(IReadOnlyDictionary<ushort, byte[]> keys, ushort currentKeyId = 0, IReadOnlyDictionary<ushort, DateTimeOffset>? activation = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            throw new ArgumentException("At least one key is required.", nameof(keys));
        }

        var copy = new Dictionary<ushort, byte[]>();
        foreach (var (id, secret) in keys)
        {
            if (id == 0)
            {
                throw new ArgumentException("Key id 0 is reserved.", nameof(keys));
            }

            if (secret is null || secret.Length < MinimumKeyBytes)
            {
                throw new ArgumentException($"Key {id} is shorter than {MinimumKeyBytes} bytes.", nameof(keys));
            }

            copy[id] = (byte[])secret.Clone();
        }

        if (currentKeyId != 0 && !copy.ContainsKey(currentKeyId))
        {
            throw new ArgumentException($"The current key id {currentKeyId} is not in the ring.", nameof(currentKeyId));
        }

        var schedule = new List<(long, ushort)>();
        foreach (var id in copy.Keys)
        {
            long from = activation is not null && activation.TryGetValue(id, out var at) ? at.ToUnixTimeMilliseconds() : long.MinValue;
            schedule.Add((from, id));
        }

        schedule.Sort((a, b) => a.Item1 != b.Item1 ? a.Item1.CompareTo(b.Item1) : a.Item2.CompareTo(b.Item2));
        return new KeyRing(copy, currentKeyId, [.. schedule]);
    }

    /// <summary>
    /// Builds the ring from options (and the key file, if any). Throws <see cref="KeyRingException"/>
    /// with a message naming the setting to fix.
    /// </summary>
    public static KeyRing FromOptions(PseudonymizationOptions options, string? contentRoot = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var keys = Load(options, contentRoot, errors, out var fileCurrent, out var activationText);
        if (errors.Count > 0)
        {
            throw new KeyRingException(string.Join(Environment.NewLine, errors));
        }

        var current = options.CurrentKeyId != 0 ? options.CurrentKeyId : fileCurrent;
        if (current < 0 || current > ushort.MaxValue || (current != 0 && !keys.ContainsKey((ushort)current)))
        {
            throw new KeyRingException($"{Setting("CurrentKeyId")} is {current}, but the key ring has no key with that id.");
        }

        var activation = new Dictionary<ushort, DateTimeOffset>();
        foreach (var (id, at) in activationText)
        {
            if (!ushort.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var keyId) || !keys.ContainsKey(keyId))
            {
                throw new KeyRingException($"{Setting("KeyActivation")}:{id} names no key in the key ring.");
            }

            activation[keyId] = at;
        }

        return Create(keys, (ushort)current, activation);
    }

    /// <summary>Validates the key settings; returns the problems found, each naming its setting.</summary>
    public static IReadOnlyList<string> Validate(PseudonymizationOptions options, string? contentRoot = null)
    {
        var errors = new List<string>();
        var keys = Load(options, contentRoot, errors, out var fileCurrent, out var activation);
        var current = options.CurrentKeyId != 0 ? options.CurrentKeyId : fileCurrent;
        if (errors.Count == 0 && current != 0 && (current < 0 || current > ushort.MaxValue || !keys.ContainsKey((ushort)current)))
        {
            errors.Add($"{Setting("CurrentKeyId")} is {current}, but the key ring has no key with that id.");
        }

        foreach (var id in activation.Keys)
        {
            if (errors.Count == 0 && (!ushort.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var keyId) || !keys.ContainsKey(keyId)))
            {
                errors.Add($"{Setting("KeyActivation")}:{id} names no key in the key ring.");
            }
        }

        return errors;
    }

    private static Dictionary<ushort, byte[]> Load(PseudonymizationOptions options, string? contentRoot, List<string> errors, out int fileCurrent, out Dictionary<string, DateTimeOffset> activation)
    {
        var keys = new Dictionary<ushort, byte[]>();
        fileCurrent = 0;
        activation = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(options.KeyFile))
        {
            var path = options.KeyFile;
            if (!Path.IsPathRooted(path) && contentRoot is not null)
            {
                path = Path.Combine(contentRoot, path);
            }

            try
            {
                var file = KeyFile.Read(path);
                fileCurrent = file.CurrentKeyId;
                foreach (var (id, at) in file.Activation)
                {
                    activation[id] = at;
                }
                foreach (var (id, secret) in file.Keys)
                {
                    AddKey(keys, id, secret, $"{Setting("KeyFile")} ({path}) key \"{id}\"", errors);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or FormatException)
            {
                errors.Add($"{Setting("KeyFile")}: cannot read the key file {path}: {ex.Message}");
            }
        }

        foreach (var (id, secret) in options.Keys)
        {
            AddKey(keys, id, secret, $"{Setting("Keys")}:{id}", errors);
        }

        foreach (var (id, at) in options.KeyActivation)
        {
            activation[id] = at;
        }

        if (keys.Count == 0 && errors.Count == 0)
        {
            errors.Add($"No pseudonymisation key is configured. Set {Setting("Keys")}:1 to a base64 secret of at least {MinimumKeyBytes} bytes (make one with `numo keygen`), or {Setting("KeyFile")} to a key file.");
        }

        return keys;
    }

    private static void AddKey(Dictionary<ushort, byte[]> keys, string id, string? secret, string setting, List<string> errors)
    {
        if (!ushort.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var keyId) || keyId == 0)
        {
            errors.Add($"{setting}: the key id must be a number from 1 to 65535.");
            return;
        }

        if (string.IsNullOrWhiteSpace(secret))
        {
            errors.Add($"{setting}: the key is missing (empty).");
            return;
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(secret.Trim());
        }
        catch (FormatException)
        {
            errors.Add($"{setting}: the key is not valid base64.");
            return;
        }

        if (bytes.Length < MinimumKeyBytes)
        {
            errors.Add($"{setting}: the key is {bytes.Length} bytes; at least {MinimumKeyBytes} bytes are required.");
            return;
        }

        keys[keyId] = bytes;
    }

    private static string Setting(string name) => $"{NumoTelemetryOptions.SectionName}:Pseudonymization:{name}";

    /// <summary>Makes a new random key (32 bytes) as base64.</summary>
    public static string GenerateKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(MinimumKeyBytes));
}
