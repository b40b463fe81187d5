using System.Text.Json;
using NumoTelemetry.Records;
using NumoTelemetry.RequestLog;

namespace NumoTelemetry.SubjectRights;

/// <summary>
/// Finds and erases a subject's lines in the request log's JSON-lines files, while the site may be writing them.
/// </summary>
/// <remarks>
/// <para>A line is the subject's when its <c>ip</c>, <c>session</c>, <c>visitor</c>, <c>phone</c> or <c>user</c>, or a signal's
/// <c>user</c> or <c>email</c>, is one of the subject's pseudonyms (never by <c>ipPrefix</c>: others share the network).</para>
/// <para>Erasure, coordinated through <see cref="ErasureChannel"/>: (1) take <c>eraser.lock</c>; (2) write <c>{id}.request</c>
/// with the pseudonyms; (3) the running writer, within a second, stops writing the subject's lines, writes out what it holds,
/// closes its file and answers <c>{id}.sealed</c> with the newest existing file: it appends only to newer files from then on;
/// with no answer, the eraser takes <c>writer.lock</c> (no writer runs; one that starts now writes only new files, listed in
/// <c>unsealed</c>, and honours the request); (4) every file up to the sealed one is rewritten without the subject's lines
/// (a temporary file renamed over it: a reader sees the old file or the new one, never half); (5) the request is removed.
/// A line written during the erasure goes to a newer file, so none is lost; the subject's lines are either in a sealed file
/// (rewritten) or were never written.</para>
/// </remarks>
internal sealed class RequestLogEraser
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private readonly string _prefix;

    public RequestLogEraser(string directory, string prefix = "requests")
    {
        Directory = directory;
        _prefix = prefix;
        Channel = new ErasureChannel(directory);
    }

    /// <summary>The request log directory.</summary>
    public string Directory { get; }

    /// <summary>The erasure folder.</summary>
    public ErasureChannel Channel { get; }

    /// <summary>The subject's lines as the log wrote them (whole lines only: a line being appended is not read), oldest file first.</summary>
    public List<(string File, string Line)> Find(SubjectPseudonyms subject, out int filesScanned)
    {
        var found = new List<(string, string)>();
        var files = RequestLogFileName.List(Directory, _prefix);
        filesScanned = files.Count;
        foreach (var (_, path) in files)
        {
            byte[] bytes;
            try
            {
                bytes = ReadShared(path);
            }
            catch (FileNotFoundException)
            {
                continue; // purged meanwhile
            }

            var name = Path.GetFileName(path);
            var rest = bytes.AsSpan();
            int newline;
            while ((newline = rest.IndexOf((byte)'\n')) >= 0)
            {
                var line = rest[..newline];
                if (Matches(line, subject))
                {
                    found.Add((name, System.Text.Encoding.UTF8.GetString(line)));
                }

                rest = rest[(newline + 1)..];
            }
        }

        return found;
    }

    /// <summary>Whether a log line is the subject's (see the remarks).</summary>
    // Long because: a tight scanner over one log line's bytes for any of the subject's pseudonyms.
    public static bool Matches(ReadOnlySpan<byte> line, SubjectPseudonyms subject)
    {
        if (line.IsEmpty)
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(line);
            var depth = 0;
            var inSignals = false;
            string? property = null;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        if (depth == 1 && property == "signals")
                        {
                            inSignals = true;
                        }

                        depth++;
                        property = null;
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        depth--;
                        if (depth == 1)
                        {
                            inSignals = false;
                        }

                        break;
                    case JsonTokenType.PropertyName:
                        property = reader.GetString();
                        break;
                    case JsonTokenType.String:
                        if ((depth == 1 && property is "ip" or "session" or "visitor" or "phone" or "user")
                            || (inSignals && depth == 3 && property is "user" or "email"))
                        {
                            if (subject.IsSubject(reader.GetString()))
                            {
                                return true;
                            }
                        }

                        property = null;
                        break;
                    default:
                        property = null;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return false; // not a record: left as it is
        }

        return false;
    }

    /// <summary>
    /// Erases the subject's lines (see the remarks). <paramref name="existing"/> is a request already in the folder (the site's
    /// own account-closure erasure); otherwise one is written. <paramref name="wait"/> bounds each wait: for another erasure to
    /// finish, and for the site's answer.
    /// </summary>
    // Long because: the erasure handshake with the site (request, wait, answer, fallback) in one sequence.
    public async Task<RequestLogErasure> EraseAsync(SubjectPseudonyms subject, SubjectRequest? existing, bool dryRun, TimeSpan wait, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = new RequestLogErasure();
        if (dryRun)
        {
            foreach (var (_, path) in RequestLogFileName.List(Directory, _prefix))
            {
                result.FilesScanned++;
                var lines = Filter(path, subject, write: false);
                if (lines > 0)
                {
                    result.FilesRewritten++;
                    result.LinesErased += lines;
                    result.PerFile[Path.GetFileName(path)] = lines;
                }
            }

            return result;
        }

        using var eraserLock = await LockAsync("eraser.lock", wait, cancellationToken).ConfigureAwait(false)
            ?? throw new SubjectRightsException($"Another erasure of this request log is running (it holds {Path.Combine(Channel.Folder, "eraser.lock")}); try again when it has finished.");
        var request = existing ?? new SubjectRequest
        {
            Id = SubjectRequest.NewId(now),
            Operation = SubjectRequest.Erase,
            Created = now,
            Pseudonyms = TextsOf(subject),
        };
        if (existing is null)
        {
            Channel.WriteRequest(request);
        }

        FileStream? writerLock = null;
        try
        {
            string? mark = null;
            var everything = false;
            var fraudPending = false;
            // No writer holds writer.lock: none runs, and one that starts now honours the request in new files only.
            writerLock = existing is null ? Channel.TryLock("writer.lock") : null;
            if (writerLock is not null)
            {
                everything = true;
            }
            else
            {
                using var sealedAnswer = await WaitForAnswerAsync(request.Id, ErasureChannel.SealedSuffix, wait, cancellationToken).ConfigureAwait(false)
                    ?? throw new SubjectRightsException($"The site holds the request log ({Path.Combine(Channel.Folder, "writer.lock")}) but did not answer the erasure request within {wait.TotalSeconds:0} s: nothing was erased. Try again with a longer --wait.");
                result.SiteAnswered = true;
                var root = sealedAnswer.RootElement;
                mark = root.TryGetProperty("mark", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                fraudPending = root.TryGetProperty("fraud", out var f) && f.ValueKind == JsonValueKind.True;
            }

            RequestLogFileName sealedName = default;
            var hasMark = mark is not null && RequestLogFileName.TryParse(mark, _prefix, out sealedName);
            var unsealed = Channel.ReadUnsealed();
            foreach (var (name, path) in RequestLogFileName.List(Directory, _prefix))
            {
                var fileName = Path.GetFileName(path);
                if (unsealed.Contains(fileName) || (!everything && (!hasMark || name.CompareTo(sealedName) > 0)))
                {
                    result.FilesLeftToWriter++;
                    continue;
                }

                result.FilesScanned++;
                var lines = Filter(path, subject, write: true);
                if (lines > 0)
                {
                    result.FilesRewritten++;
                    result.LinesErased += lines;
                    result.PerFile[fileName] = lines;
                }
            }

            if (fraudPending)
            {
                result.Fraud = await WaitForAnswerAsync(request.Id, ErasureChannel.FraudSuffix, wait, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Channel.Remove(request.Id);
            writerLock?.Dispose();
        }

        return result;
    }

    /// <summary>The subject's own pseudonyms as a request lists them.</summary>
    public static List<(string Kind, string Text)> TextsOf(SubjectPseudonyms subject)
    {
        var texts = new List<(string, string)>();
        foreach (var p in subject.All)
        {
            if (!p.IsContext && p.Scope == PseudonymScope.Fraud)
            {
                texts.Add((p.KindName, p.Text));
            }
        }

        return texts;
    }

    /// <summary>Waits up to <paramref name="wait"/> for an answer of the folder.</summary>
    public async Task<JsonDocument?> WaitForAnswerAsync(string id, string suffix, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        while (true)
        {
            if (Channel.TryReadAnswer(id, suffix) is { } answer)
            {
                return answer;
            }

            if (Environment.TickCount64 >= deadline)
            {
                return null;
            }

            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<FileStream?> LockAsync(string name, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        while (true)
        {
            if (Channel.TryLock(name) is { } held)
            {
                return held;
            }

            if (Environment.TickCount64 >= deadline)
            {
                return null;
            }

            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Counts (and with <paramref name="write"/> removes) the subject's lines of one file; returns how many.</summary>
    // Long because: one file rewritten in place: read, filter, write aside and replace, each failure handled.
    private static long Filter(string path, SubjectPseudonyms subject, bool write)
    {
        byte[] bytes;
        try
        {
            bytes = ReadShared(path);
        }
        catch (FileNotFoundException)
        {
            return 0;
        }

        long erased = 0;
        var rest = bytes.AsSpan();
        int newline;
        while ((newline = rest.IndexOf((byte)'\n')) >= 0)
        {
            if (Matches(rest[..newline], subject))
            {
                erased++;
            }

            rest = rest[(newline + 1)..];
        }

        if (erased == 0 || !write)
        {
            return erased;
        }

        // The kept lines, byte for byte, into a temporary file beside it with the file's own mode, renamed over it.
        var temp = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".erasing");
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = File.GetUnixFileMode(path);
        }

        using (var output = new FileStream(temp, options))
        {
            rest = bytes.AsSpan();
            while ((newline = rest.IndexOf((byte)'\n')) >= 0)
            {
                var line = rest[..(newline + 1)];
                if (!Matches(line[..^1], subject))
                {
                    output.Write(line);
                }

                rest = rest[(newline + 1)..];
            }

            // A half line at the end (a crash) is not kept: the writer would cut it when it opened the file.
            output.Flush(flushToDisk: true);
        }

        if (!File.Exists(path))
        {
            File.Delete(temp); // purged by retention meanwhile: not brought back
            return 0;
        }

        File.Move(temp, path, overwrite: true);
        return erased;
    }

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = stream.Length;
        var bytes = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = stream.Read(bytes, read, (int)(length - read));
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        // Whole lines only: a line being appended is not read.
        var last = bytes.AsSpan(0, read).LastIndexOf((byte)'\n');
        return bytes.AsSpan(0, last + 1).ToArray();
    }
}
