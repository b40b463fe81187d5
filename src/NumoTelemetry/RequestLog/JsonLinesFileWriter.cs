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
    private FileStream? _stream;
    private Utf8JsonWriter? _writer;
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

    /// <summary>Writes one line with <paramref name="write"/> producing a JSON value.</summary>
    public void WriteLine<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var writer = EnsureOpen();
        write(writer, state);
        writer.Flush();
        writer.Reset();
        _stream!.WriteByte((byte)'\n');
    }

    public void Flush() => _stream?.Flush(flushToDisk: false);

    private Utf8JsonWriter EnsureOpen()
    {
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        if (_stream is not null && (today != _day || _stream.Length >= _maxBytes))
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
                _day = today;
                _sequence = 0;
                Directory.CreateDirectory(_directory);
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
            _writer = new Utf8JsonWriter(_stream, new JsonWriterOptions { SkipValidation = true });
        }

        return _writer!;
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

    private void Close()
    {
        _writer?.Dispose();
        _writer = null;
        _stream?.Dispose();
        _stream = null;
    }

    public void Dispose() => Close();
}
