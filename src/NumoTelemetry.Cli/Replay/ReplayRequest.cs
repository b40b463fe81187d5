namespace NumoTelemetry.Cli.Replay;

/// <summary>One parsed log line (reused from line to line). Raw values live here only until the line is captured.</summary>
internal sealed class ReplayRequest
{
    public DateTimeOffset Timestamp;
    public NumoTelemetry.Capture.ClientAddress Client;
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
        User = null;
        Event = null;
        DurationMs = null;
        Protocol = null;
        Headers.Clear();
    }
}
