using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace NumoTelemetry.RequestLog;

/// <summary>
/// Appends JSON lines to <c>{prefix}-yyyyMMdd[-N].jsonl</c> files, rotating at each UTC day and when a file
/// reaches the size limit, and deleting files older than the retention. Single writer (the pipeline thread).
/// </summary>
internal sealed class JsonLinesFileWriter : IDisposable
{
    private readonly string _directory;
    private readonly string _prefix;
    private readonly long _maxBytes;
    private readonly int _retentionDays;
    private readonly TimeProvider _time;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _writer;
    private FileStream? _stream;
    private long _length;
    private DateOnly _day;
    private int _sequence;

    public JsonLinesFileWriter(string directory, string prefix, long maxBytes, int retentionDays, TimeProvider time)
    {
        _directory = directory;
        _prefix = prefix;
        _maxBytes = Math.Max(4096, maxBytes);
        _retentionDays = Math.Max(1, retentionDays);
        _time = time;
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
    }

    public string? CurrentPath => _stream?.Name;

    /// <summary>
    /// Writes one line with <paramref name="write"/> producing a JSON value. The line goes to the file stream's
    /// buffer; the operating system sees it at <see cref="Flush"/> (once per batch) or when the buffer fills.
    /// </summary>
    public void WriteLine<TState>(in TState state, JsonLineWriter<TState> write)
    {
        var stream = EnsureOpen();
        _writer.Reset(_buffer);
        _buffer.ResetWrittenCount();
        write(_writer, in state);
        _writer.Flush();
        stream.Write(_buffer.WrittenSpan);
        stream.WriteByte((byte)'\n');
        _length += _buffer.WrittenCount + 1;
    }

    /// <summary>Writes one line with <paramref name="write"/> producing UTF-8 JSON straight into the line buffer.</summary>
    public void WriteUtf8Line<TState>(in TState state, Utf8LineWriter<TState> write)
    {
        var stream = EnsureOpen();
        _buffer.ResetWrittenCount();
        write(_buffer, in state);
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
        stream.Write(_buffer.WrittenSpan);
        _length += _buffer.WrittenCount;
    }

    public void Flush() => _stream?.Flush(flushToDisk: false);

    private FileStream EnsureOpen()
    {
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        if (_stream is not null && (today != _day || _length >= _maxBytes))
        {
            Close();
            if (today == _day)
            {
                _sequence++;
            }
        }

        if (_stream is null)
        {
            if (today != _day)
            {
                Directory.CreateDirectory(_directory);
                _day = today; // only once the directory exists: a failed attempt is retried in full
                _sequence = 0;
                PurgeOld();
            }

            string path;
            while (true)
            {
                path = Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{_day:yyyyMMdd}{(_sequence == 0 ? string.Empty : "-" + _sequence)}.jsonl"));
                if (!File.Exists(path) || new FileInfo(path).Length < _maxBytes)
                {
                    break;
                }

                _sequence++;
            }

            _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024);
            _length = _stream.Length;
        }

        return _stream;
    }

    private void PurgeOld()
    {
        var cutoff = _day.AddDays(-_retentionDays);
        foreach (var file in Directory.EnumerateFiles(_directory, _prefix + "-*.jsonl"))
        {
            var name = Path.GetFileNameWithoutExtension(file).AsSpan(_prefix.Length + 1);
            if (name.Length >= 8 && DateOnly.TryParseExact(name[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day < cutoff)
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException)
                {
                    // still in use elsewhere: next rotation tries again
                }
            }
        }
    }

    /// <summary>
    /// Abandons the current file after a failure (whatever is still buffered is lost), so the next line
    /// reopens it, creating the directory again if needed.
    /// </summary>
    public void Reset()
    {
        try
        {
            Close();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _stream = null;
        }

        _day = default;
    }

    private void Close()
    {
        _stream?.Dispose();
        _stream = null;
    }

    public void Dispose()
    {
        Close();
        _writer.Dispose();
    }
}

/// <summary>Writes one JSON value for <paramref name="state"/>, passed by reference (records are large structs).</summary>
internal delegate void JsonLineWriter<TState>(Utf8JsonWriter writer, in TState state);

/// <summary>Writes one JSON value for <paramref name="state"/> as UTF-8 into <paramref name="output"/>.</summary>
internal delegate void Utf8LineWriter<TState>(IBufferWriter<byte> output, in TState state);
