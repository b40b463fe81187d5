using System.Buffers;
using System.Globalization;

namespace NumoTelemetry.RequestLog;

/// <summary>
/// Appends JSON lines to <c>{prefix}-yyyyMMdd[-N].jsonl</c> files, rotating at each UTC day and when a file
/// reaches the size limit, and deleting files older than the retention. Single writer (the pipeline thread).
/// Lines collect in one reused buffer that goes to an unbuffered file in 64 KiB writes (and at <see cref="Flush"/>), so
/// opening the next file allocates no new buffer.
/// </summary>
internal sealed class JsonLinesFileWriter : IDisposable
{
    private readonly string _directory;
    private readonly string _prefix;
    private readonly long _maxBytes;
    private readonly int _retentionDays;
    private readonly TimeProvider _time;
    private const int WriteSize = 64 * 1024;

    private readonly ArrayBufferWriter<byte> _buffer = new(WriteSize + 4096);
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
    }

    public string? CurrentPath => _stream?.Name;

    /// <summary>
    /// Writes one line with <paramref name="write"/> producing a JSON value as UTF-8 straight into the buffer; the operating
    /// system sees it when 64 KiB have collected, at <see cref="Flush"/> (once per batch) or when the file is rotated.
    /// </summary>
    public void WriteUtf8Line<TState>(in TState state, Utf8LineWriter<TState> write)
    {
        EnsureOpen();
        var start = _buffer.WrittenCount;
        write(_buffer, in state);
        EndLine(start);
    }

    public void Flush()
    {
        if (_stream is not null)
        {
            WriteOut();
            _stream.Flush(flushToDisk: false);
        }
    }

    private void EndLine(int start)
    {
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
        _length += _buffer.WrittenCount - start;
        if (_buffer.WrittenCount >= WriteSize)
        {
            WriteOut();
        }
    }

    private void WriteOut()
    {
        if (_buffer.WrittenCount > 0)
        {
            _stream!.Write(_buffer.WrittenSpan);
            _buffer.ResetWrittenCount();
        }
    }

    private void EnsureOpen()
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

            _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
            _length = _stream.Length;
        }
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
        _buffer.ResetWrittenCount();
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

    /// <summary>Writes what is buffered to the current file (its lines were counted in its length), then closes it.</summary>
    private void Close()
    {
        if (_stream is null)
        {
            return;
        }

        try
        {
            WriteOut();
        }
        finally
        {
            _stream.Dispose();
            _stream = null;
        }
    }

    public void Dispose() => Close();
}

/// <summary>Writes one JSON value for <paramref name="state"/> (passed by reference: records are large structs) as UTF-8 into <paramref name="output"/>.</summary>
internal delegate void Utf8LineWriter<TState>(IBufferWriter<byte> output, in TState state);
