using System.Buffers;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using NumoTelemetry.Internal;

namespace NumoTelemetry.RequestLog;

/// <summary>
/// Appends JSON lines to <c>{prefix}-yyyyMMdd[-N].jsonl</c> files, rotating at each UTC day and when a file
/// reaches the size limit, and deleting files older than the retention. Single writer (the pipeline thread).
/// Lines collect in one reused buffer that goes to an unbuffered file in 64 KiB writes (and at <see cref="Flush"/>), so
/// opening the next file allocates no new buffer.
/// </summary>
/// <remarks>
/// <para>
/// Only whole lines stay in a file. A write that fails part of the way (a full disk) is cut back to the file's length
/// before it, and its lines stay in the buffer (at most one write's worth: no line is taken while they wait) to be
/// written first when the file sink works again; a line whose writer throws is cut from the buffer; and a file that
/// ends in a half line (a crash, or a cut that failed) has the half line removed when it is opened.
/// </para>
/// <para>
/// Each write goes to the file's current end, so a file truncated in place (logrotate's <c>copytruncate</c>) gets no
/// hole. At least once a second (at the next line) and at every <see cref="Flush"/>, the file open is compared with
/// the one at its path: when it was deleted or moved away (logrotate's default), the writer reopens the path. On Linux
/// the comparison reads <c>/proc/self/fd</c>, and the lines written to a deleted file since the previous comparison
/// (at most a second's worth, or a flush interval's) are reported to <c>fileGone</c>; elsewhere the path must hold
/// a file of the open file's length, and what went to a file that is gone is not known.
/// </para>
/// </remarks>
internal sealed class JsonLinesFileWriter : IDisposable
{
    private const int WriteSize = 64 * 1024;
    private const int TailScan = 64 * 1024;
    private const string DeletedSuffix = " (deleted)";
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly string _directory;
    private readonly string _prefix;
    private readonly long _maxBytes;
    private readonly int _retentionDays;
    private readonly TimeProvider _time;
    private readonly FileGoneHandler? _fileGone;

    private readonly LineBuffer _buffer = new(WriteSize + 4096);
    private int _bufferedLines;
    private bool _writeFailed;
    private SafeFileHandle? _handle;
    private string? _path;
    private string? _fdLink;
    private string? _openedAs;
    private long _fileLength;
    private long _linesWritten;
    private long _linesChecked;
    private DateTimeOffset _nextCheck;
    private DateOnly _day;
    private int _sequence;
    private string? _cutPath;
    private bool _freshNext;
    private long _cutLength;

    public JsonLinesFileWriter(string directory, string prefix, long maxBytes, int retentionDays, TimeProvider time, FileGoneHandler? fileGone = null)
    {
        _directory = directory;
        _prefix = prefix;
        _maxBytes = Math.Max(4096, maxBytes);
        _retentionDays = Math.Max(1, retentionDays);
        _time = time;
        _fileGone = fileGone;
    }

    public string? CurrentPath => _handle is null ? null : _path;

    /// <summary>
    /// Opens only new files, above every existing file of the day, never one that exists (set while an erasure may rewrite
    /// the existing files and this writer could not show it is the only one).
    /// </summary>
    public bool AlwaysFresh { get; set; }

    /// <summary>Called with a new file's name before a fresh file is created (see <see cref="AlwaysFresh"/>, <see cref="Seal"/>).</summary>
    public Action<string>? BeforeCreate { get; set; }

    /// <summary>
    /// Seals the files that exist: writes what is buffered, closes the file, and opens the next line's file above every existing
    /// one. Returns the name of the newest existing file (never appended to again), or <see langword="null"/> when there is none.
    /// </summary>
    public string? Seal()
    {
        Close();
        _freshNext = true;
        var files = RequestLogFileName.List(_directory, _prefix);
        return files.Count == 0 ? null : Path.GetFileName(files[^1].Path);
    }

    /// <summary>Lines taken by <see cref="WriteUtf8Line"/> so far (a line is taken once it is whole in the buffer).</summary>
    public long LinesAccepted { get; private set; }

    /// <summary>Lines taken but not yet in a file: after a failure, those that wait to be written when the file works again.</summary>
    public int BufferedLines => _bufferedLines;

    /// <summary>
    /// Writes one line with <paramref name="write"/> producing a JSON value as UTF-8 straight into the buffer; the operating
    /// system sees it when 64 KiB have collected, at <see cref="Flush"/> (once per batch) or when the file is rotated.
    /// When this throws, the line was taken (see <see cref="LinesAccepted"/>) only if the write of the buffer it completed failed.
    /// </summary>
    public void WriteUtf8Line<TState>(in TState state, Utf8LineWriter<TState> write)
    {
        EnsureOpen();
        if (_writeFailed)
        {
            WriteOut(); // the lines of the failed write first; no new line is taken until they are written
        }

        var start = _buffer.WrittenCount;
        try
        {
            write(_buffer, in state);
        }
        catch
        {
            _buffer.Truncate(start);
            throw;
        }

        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
        _bufferedLines++;
        LinesAccepted++;
        if (_buffer.WrittenCount >= WriteSize)
        {
            WriteOut();
        }
    }

    /// <summary>Checks that the file is still at its path (reopening it if not), then writes what is buffered.</summary>
    public void Flush()
    {
        if (_handle is not null)
        {
            CheckFile(_time.GetUtcNow());
        }

        if (_bufferedLines > 0)
        {
            EnsureOpen();
            WriteOut();
        }

        _linesChecked = _linesWritten; // written right after the check
    }

    /// <summary>
    /// Closes the file after a failure, so the next line reopens it (creating the directory again if needed). The lines
    /// still buffered are kept and written first then; <see cref="DiscardBuffered"/> gives them up.
    /// </summary>
    public void Reset()
    {
        CloseHandle();
        _day = default;
    }

    /// <summary>Gives up the lines still buffered (after a failed last write); returns how many there were.</summary>
    public int DiscardBuffered()
    {
        var lines = _bufferedLines;
        _buffer.Clear();
        _bufferedLines = 0;
        _writeFailed = false;
        return lines;
    }

    private void WriteOut()
    {
        if (_buffer.WrittenCount == 0)
        {
            return;
        }

        // At the file's end as it is now: a file truncated in place by someone else gets no hole of zeros.
        var handle = _handle!;
        var offset = -1L;
        try
        {
            offset = RandomAccess.GetLength(handle);
            RandomAccess.Write(handle, _buffer.WrittenSpan, offset);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Out of space part of the way: no half line stays in the file. The lines are kept for the next attempt.
            _writeFailed = true;
            if (offset < 0)
            {
                throw;
            }

            _fileLength = offset;
            try
            {
                RandomAccess.SetLength(handle, offset);
            }
            catch (Exception cut) when (cut is IOException or UnauthorizedAccessException)
            {
                // Cut before the next file is opened: the lines stay buffered, so none may stay in this file.
                _cutPath = _path;
                _cutLength = offset;
            }

            throw;
        }

        _fileLength = offset + _buffer.WrittenCount;
        _linesWritten += _bufferedLines;
        _bufferedLines = 0;
        _buffer.Clear();
        _writeFailed = false;
    }

    // Long because: the file's rotation, retention and reopen decisions under one clock reading.
    private void EnsureOpen()
    {
        var now = _time.GetUtcNow();
        if (_handle is not null && now >= _nextCheck)
        {
            CheckFile(now);
        }

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (_handle is not null && (today != _day || _fileLength + _buffer.WrittenCount >= _maxBytes))
        {
            Close();
            if (today == _day)
            {
                _sequence++;
            }
        }

        if (_handle is null)
        {
            if (_cutPath is not null)
            {
                FinishCut();
            }

            if (today != _day)
            {
                Directory.CreateDirectory(_directory);
                _day = today; // only once the directory exists: a failed attempt is retried in full
                _sequence = 0;
                PurgeOld();
            }

            string path;
            var fresh = _freshNext || AlwaysFresh;
            if (fresh)
            {
                // After a seal (an erasure is rewriting the files that exist), only a file above every existing one of the day.
                foreach (var (name, _) in RequestLogFileName.List(_directory, _prefix))
                {
                    if (name.Day == _day && name.Sequence >= _sequence)
                    {
                        _sequence = name.Sequence + 1;
                    }
                }
            }

            while (true)
            {
                path = Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{_day:yyyyMMdd}{(_sequence == 0 ? string.Empty : "-" + _sequence)}.jsonl"));
                if (!File.Exists(path) || (!fresh && new FileInfo(path).Length < _maxBytes))
                {
                    break;
                }

                _sequence++;
            }

            if (fresh)
            {
                BeforeCreate?.Invoke(Path.GetFileName(path));
            }

            Open(path, now);
            _freshNext = false;
        }
    }

    private void Open(string path, DateTimeOffset now)
    {
        Internal.OwnerOnlyFile.EnsureExists(path);
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            _fileLength = CutHalfLine(handle, RandomAccess.GetLength(handle));
            _fdLink = null;
            _openedAs = null;
            if (OperatingSystem.IsLinux())
            {
                var link = "/proc/self/fd/" + handle.DangerousGetHandle().ToString(CultureInfo.InvariantCulture);
                _openedAs = LinkTarget(link);
                _fdLink = _openedAs is null ? null : link;
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        _handle = handle;
        _path = path;
        _linesWritten = 0;
        _linesChecked = 0;
        _nextCheck = now + CheckInterval;
    }

    /// <summary>Cuts the file of a failed write whose own cut failed back to its length before the write.</summary>
    private void FinishCut()
    {
        try
        {
            using var handle = File.OpenHandle(_cutPath!, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            if (RandomAccess.GetLength(handle) > _cutLength)
            {
                RandomAccess.SetLength(handle, _cutLength);
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // gone: nothing to cut
        }

        _cutPath = null;
    }

    /// <summary>Removes a half line at the end of the file (left by a crash or a failed cut); returns the new length.</summary>
    private static long CutHalfLine(SafeFileHandle handle, long length)
    {
        if (length == 0)
        {
            return 0;
        }

        Span<byte> last = stackalloc byte[1];
        if (RandomAccess.Read(handle, last, length - 1) == 1 && last[0] == (byte)'\n')
        {
            return length;
        }

        var scan = (int)Math.Min(length, TailScan);
        var tail = ArrayPool<byte>.Shared.Rent(scan);
        try
        {
            var read = RandomAccess.Read(handle, tail.AsSpan(0, scan), length - scan);
            var newline = tail.AsSpan(0, read).LastIndexOf((byte)'\n');
            long keep = newline >= 0 ? length - scan + newline + 1 : scan == length ? 0 : -1;
            if (keep < 0)
            {
                // A half line longer than the scan: end it, so that at least the next line stands on its own.
                RandomAccess.Write(handle, "\n"u8, length);
                return length + 1;
            }

            RandomAccess.SetLength(handle, keep);
            return keep;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(tail);
        }
    }

    /// <summary>Compares the open file with the one at its path; when it was deleted or moved away, closes it so that the path is reopened.</summary>
    private void CheckFile(DateTimeOffset now)
    {
        _nextCheck = now + CheckInterval;
        bool gone;
        bool deleted;
        if (_fdLink is not null)
        {
            var target = LinkTarget(_fdLink);
            deleted = target is null || target.EndsWith(DeletedSuffix, StringComparison.Ordinal);
            gone = deleted || !string.Equals(target, _openedAs, StringComparison.Ordinal);
        }
        else
        {
            // No /proc: the path must hold a file as long as the open one (only this writer appends to it).
            var atPath = new FileInfo(_path!);
            gone = !atPath.Exists || atPath.Length != RandomAccess.GetLength(_handle!);
            deleted = false; // not known: moved away or deleted
        }

        if (!gone)
        {
            _linesChecked = _linesWritten;
            return;
        }

        var path = _path!;
        var lost = deleted ? _linesWritten - _linesChecked : 0;
        CloseHandle(); // the lines still buffered go to the file reopened at the path
        _day = default; // the directory may be gone too
        _fileGone?.Invoke(path, deleted, lost);
    }

    private static string? LinkTarget(string link)
    {
        try
        {
            return new FileInfo(link).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
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

    /// <summary>Writes what is buffered to the current file, then closes it (also when the write fails: its lines stay buffered).</summary>
    private void Close()
    {
        if (_handle is null)
        {
            return;
        }

        try
        {
            WriteOut();
        }
        finally
        {
            CloseHandle();
        }
    }

    private void CloseHandle()
    {
        _handle?.Dispose();
        _handle = null;
    }

    /// <summary>Writes what is buffered and closes the file; lines that cannot be written stay in <see cref="BufferedLines"/>.</summary>
    public void Dispose()
    {
        try
        {
            Close();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // BufferedLines tells the owner what was lost.
        }
    }
}

/// <summary>Writes one JSON value for <paramref name="state"/> (passed by reference: records are large structs) as UTF-8 into <paramref name="output"/>.</summary>
internal delegate void Utf8LineWriter<TState>(IBufferWriter<byte> output, in TState state);

/// <summary>
/// The open file of a <see cref="JsonLinesFileWriter"/> was found <paramref name="deleted"/> or moved away from
/// <paramref name="path"/>, which is reopened; <paramref name="linesLost"/> lines had been written to it since it was last
/// found in place and are gone with it (always 0 when it was only moved, or where this cannot be told).
/// </summary>
internal delegate void FileGoneHandler(string path, bool deleted, long linesLost);
