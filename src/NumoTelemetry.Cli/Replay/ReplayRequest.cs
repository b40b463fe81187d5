using NumoTelemetry.Records;

namespace NumoTelemetry.Cli.Replay;

/// <summary>One parsed log line (reused from line to line). Raw values live here only until the line is captured.</summary>
internal sealed class ReplayRequest
{
    public DateTimeOffset Timestamp;
    public NumoTelemetry.Records.ClientAddress Client;
    public string Method = "GET";
    public string Path = "/";
    public string? Query;
    public int Status;
    public string? UserAgent;
    public string? Route;
    public string? Referer;
    public string? Cookie;
    public string? Session;
    public string? User;
    public string? Event;
    public double? DurationMs;
    public string? Protocol;
    public readonly List<KeyValuePair<string, string>> Headers = new();

    // Cookie and session as chars (JSON lines): they only make the Cookie header, so no string of their own is needed.
    private char[] _cookieChars = new char[256];
    private char[] _sessionChars = new char[128];
    private int _cookieLength = -1;
    private int _sessionLength = -1;

    /// <summary>The raw Cookie header, from <see cref="Cookie"/> or <see cref="SetCookie"/>; empty when none.</summary>
    public ReadOnlySpan<char> CookieText => Cookie is not null ? Cookie : _cookieLength >= 0 ? _cookieChars.AsSpan(0, _cookieLength) : default;

    /// <summary>The session id, from <see cref="Session"/> or <see cref="SetSession"/>; empty when none.</summary>
    public ReadOnlySpan<char> SessionText => Session is not null ? Session : _sessionLength >= 0 ? _sessionChars.AsSpan(0, _sessionLength) : default;

    public bool HasCookie => Cookie is not null || _cookieLength >= 0;

    public bool HasSession => Session is not null || _sessionLength >= 0;

    public void SetCookie(ReadOnlySpan<char> value) => _cookieLength = Copy(value, ref _cookieChars);

    public void SetSession(ReadOnlySpan<char> value) => _sessionLength = Copy(value, ref _sessionChars);

    private static int Copy(ReadOnlySpan<char> value, ref char[] buffer)
    {
        if (buffer.Length < value.Length)
        {
            buffer = new char[Math.Max(value.Length, buffer.Length * 2)];
        }

        value.CopyTo(buffer);
        return value.Length;
    }

    public void Reset()
    {
        Timestamp = default;
        Client = default;
        Method = "GET";
        Path = "/";
        Query = null;
        Status = 0;
        UserAgent = null;
        Route = null;
        Referer = null;
        Cookie = null;
        Session = null;
        _cookieLength = -1;
        _sessionLength = -1;
        User = null;
        Event = null;
        DurationMs = null;
        Protocol = null;
        Headers.Clear();
    }
}
