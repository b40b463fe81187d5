namespace NumoTelemetry.Cli.Replay;

/// <summary>
/// Reads lines as UTF-8 byte spans from a stream with one reusable buffer. A line of <paramref name="maxLineBytes"/> or more is not
/// kept: it is returned as a line marked too long (so the caller counts it), and reading resumes after its newline.
/// </summary>
internal sealed class LineReader(Stream stream, int maxLineBytes = 1 << 20)
{
    private byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>Lines returned as too long.</summary>
    public long TooLong { get; private set; }

    /// <summary>
    /// The next line without its terminator (and without a trailing CR); false at the end. A line too long to keep comes back empty
    /// with <paramref name="tooLong"/> set.
    /// </summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line, out bool tooLong)
    {
        tooLong = false;
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = Trim(_buffer.AsSpan(_start, newline));
                _start += newline + 1;
                return true;
            }

            if (_eof)
            {
                if (_start < _end)
                {
                    line = Trim(_buffer.AsSpan(_start, _end - _start));
                    _start = _end;
                    return true;
                }

                line = default;
                return false;
            }

            if (!Fill())
            {
                TooLong++;
                tooLong = true;
                line = default;
                return true;
            }
        }
    }

    /// <summary>Reads more; false when the buffer held a line at the limit, which was dropped up to its newline (or the end).</summary>
    private bool Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= maxLineBytes)
            {
                // An endless line: drop what we have up to the next newline.
                _end = 0;
                SkipToNewline();
                return false;
            }

            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var read = stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
        return true;
    }

    private void SkipToNewline()
    {
        while (true)
        {
            var read = stream.Read(_buffer, 0, _buffer.Length);
            if (read == 0)
            {
                _eof = true;
                return;
            }

            var newline = _buffer.AsSpan(0, read).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                _start = newline + 1;
                _end = read;
                return;
            }
        }
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> line) => line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;
}
