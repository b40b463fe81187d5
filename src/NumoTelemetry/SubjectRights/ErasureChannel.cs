using System.Globalization;
using System.Text.Json;
using NumoTelemetry.Internal;
using NumoTelemetry.Records;

namespace NumoTelemetry.SubjectRights;

/// <summary>
/// The folder through which an eraser (<c>numo subject</c>, or the site's own account-closure erasure) and the running site's
/// request-log writer coordinate: <c>{request log directory}/.erasure</c>. It holds <c>{id}.request</c> (the subject's
/// pseudonyms), the writer's answer <c>{id}.sealed</c> (the newest file it will never append to again), the fraud engine's
/// answer <c>{id}.fraud</c>, <c>writer.lock</c> (held by the running writer), <c>eraser.lock</c> (one erasure at a time) and
/// <c>unsealed</c> (files a writer without <c>writer.lock</c> opened: never rewritten by an eraser). Every file is written
/// whole (a temporary file renamed) and readable by its owner only; none holds a raw value.
/// </summary>
internal sealed class ErasureChannel
{
    /// <summary>The folder's name under the request log directory.</summary>
    public const string FolderName = ".erasure";

    /// <summary>The writer's answer to an erasure or export request.</summary>
    public const string SealedSuffix = "sealed";

    /// <summary>The fraud engine's answer.</summary>
    public const string FraudSuffix = "fraud";

    private const string RequestSuffix = ".request";

    public ErasureChannel(string requestLogDirectory)
    {
        Folder = Path.Combine(requestLogDirectory, FolderName);
    }

    /// <summary>The folder.</summary>
    public string Folder { get; }

    /// <summary>Whether the folder exists (nothing was ever requested when not).</summary>
    public bool Exists => Directory.Exists(Folder);

    /// <summary>Writes a request (atomically).</summary>
    public void WriteRequest(SubjectRequest request)
    {
        WriteJson(request.Id + RequestSuffix, w =>
        {
            w.WriteString("id", request.Id);
            w.WriteString("operation", request.Operation);
            w.WriteString("created", request.Created);
            if (request.NotBefore is { } at)
            {
                w.WriteString("notBefore", at);
            }

            w.WriteString("origin", request.Origin);
            w.WriteStartArray("pseudonyms");
            foreach (var (kind, text) in request.Pseudonyms)
            {
                w.WriteStartObject();
                w.WriteString("kind", kind);
                w.WriteString("pseudonym", text);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    /// <summary>The requests in the folder (unreadable ones are skipped: a request being written is renamed in whole).</summary>
    public List<SubjectRequest> ReadRequests()
    {
        var requests = new List<SubjectRequest>();
        if (!Exists)
        {
            return requests;
        }

        foreach (var path in Directory.EnumerateFiles(Folder, "*" + RequestSuffix))
        {
            if (TryReadRequest(path) is { } request)
            {
                requests.Add(request);
            }
        }

        requests.Sort(static (a, b) => string.CompareOrdinal(a.Id, b.Id));
        return requests;
    }

    private static SubjectRequest? TryReadRequest(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            var pseudonyms = new List<(string, string)>();
            foreach (var p in root.GetProperty("pseudonyms").EnumerateArray())
            {
                pseudonyms.Add((p.GetProperty("kind").GetString() ?? string.Empty, p.GetProperty("pseudonym").GetString() ?? string.Empty));
            }

            return new SubjectRequest
            {
                Id = root.GetProperty("id").GetString() ?? Path.GetFileNameWithoutExtension(path),
                Operation = root.GetProperty("operation").GetString() ?? string.Empty,
                Created = root.TryGetProperty("created", out var created) ? created.GetDateTimeOffset() : default,
                NotBefore = root.TryGetProperty("notBefore", out var notBefore) ? notBefore.GetDateTimeOffset() : null,
                Origin = root.TryGetProperty("origin", out var origin) ? origin.GetString() ?? "cli" : "cli",
                Pseudonyms = pseudonyms,
            };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Writes an answer <c>{id}.{suffix}</c> (atomically).</summary>
    public void WriteAnswer(string id, string suffix, Action<Utf8JsonWriter> write) => WriteJson(id + "." + suffix, write);

    /// <summary>Writes an answer <c>{id}.{suffix}</c> that is a JSON object already (atomically).</summary>
    public void WriteAnswerBytes(string id, string suffix, ReadOnlySpan<byte> json)
    {
        CreateFolder();
        var path = Path.Combine(Folder, id + "." + suffix);
        var temp = path + ".tmp-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        OwnerOnlyFile.EnsureExists(temp);
        using (var stream = new FileStream(temp, FileMode.Truncate, FileAccess.Write, FileShare.None))
        {
            stream.Write(json);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads an answer, or <see langword="null"/> while there is none.</summary>
    public JsonDocument? TryReadAnswer(string id, string suffix)
    {
        var path = Path.Combine(Folder, id + "." + suffix);
        try
        {
            return File.Exists(path) ? JsonDocument.Parse(File.ReadAllBytes(path)) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Whether the request <paramref name="id"/> is still in the folder.</summary>
    public bool HasRequest(string id) => File.Exists(Path.Combine(Folder, id + RequestSuffix));

    /// <summary>Removes a request and its answers (the writer stops filtering its subject at its next look).</summary>
    public void Remove(string id)
    {
        foreach (var name in new[] { id + RequestSuffix, id + "." + SealedSuffix, id + "." + FraudSuffix })
        {
            try
            {
                File.Delete(Path.Combine(Folder, name));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // left for the next erasure to clear
            }
        }
    }

    /// <summary>Takes a lock file of the folder (exclusive, not waiting), or returns <see langword="null"/> when another holds it.</summary>
    public FileStream? TryLock(string name)
    {
        CreateFolder();
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            return new FileStream(Path.Combine(Folder, name), options);
        }
        catch (IOException)
        {
            return null; // held (on Unix an advisory flock taken with FileShare.None)
        }
    }

    /// <summary>Records that a writer without <c>writer.lock</c> is about to create <paramref name="fileName"/> (erasers leave it alone).</summary>
    public void RegisterUnsealed(string fileName)
    {
        CreateFolder();
        var path = Path.Combine(Folder, "unsealed");
        OwnerOnlyFile.EnsureExists(path);
        File.AppendAllText(path, fileName + "\n");
    }

    /// <summary>The file names registered with <see cref="RegisterUnsealed"/>.</summary>
    public HashSet<string> ReadUnsealed()
    {
        var path = Path.Combine(Folder, "unsealed");
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            foreach (var line in File.ReadAllLines(path))
            {
                if (line.Length > 0)
                {
                    names.Add(line);
                }
            }
        }

        return names;
    }

    private void WriteJson(string name, Action<Utf8JsonWriter> write)
    {
        CreateFolder();
        var path = Path.Combine(Folder, name);
        var temp = path + ".tmp-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        OwnerOnlyFile.EnsureExists(temp);
        using (var stream = new FileStream(temp, FileMode.Truncate, FileAccess.Write, FileShare.None))
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Creates the folder, readable by its owner only on Unix (it lists who is being erased, by pseudonym).</summary>
    private void CreateFolder()
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(Folder);
        }
        else
        {
            Directory.CreateDirectory(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>The time as written in the folder's files.</summary>
    public static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
