using System.Globalization;
using System.Text;
using NumoTelemetry.Internal;
using NumoTelemetry.Records;

namespace NumoTelemetry.Cli.Replay;

/// <summary>
/// Parses one NCSA combined log line: <c>host ident authuser [dd/MMM/yyyy:HH:mm:ss zone] "METHOD path protocol" status bytes "referer" "user-agent"</c>.
/// The authenticated user (when not <c>-</c>) becomes the request's user.
/// </summary>
internal static class CombinedLineParser
{
    private static readonly string[] s_months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    // Long because: a tight parser of the combined log format, one field after the other over one span.
    public static bool TryParse(ReadOnlySpan<byte> bytes, ReplayRequest request, BoundedInterner pool, Span<char> buffer, out string? error)
    {
        request.Reset();
        error = null;
        if (bytes.Length > buffer.Length)
        {
            error = "too_long";
            return false;
        }

        ReadOnlySpan<char> line = buffer[..Encoding.UTF8.GetChars(bytes, buffer)];

        // host
        var host = Token(ref line);
        if (!ClientAddress.TryParse(host, out request.Client))
        {
            error = "bad_ip";
            return false;
        }

        Token(ref line); // ident
        var user = Token(ref line);
        if (!user.IsEmpty && !user.SequenceEqual("-"))
        {
            request.User = user.ToString();
        }

        // [time]
        line = line.TrimStart();
        var close = line.IndexOf(']');
        if (line.IsEmpty || line[0] != '[' || close < 0 || !TryParseTime(line[1..close], out request.Timestamp))
        {
            error = "bad_time";
            return false;
        }

        line = line[(close + 1)..];

        // "request"
        if (!Quoted(ref line, out var requestLine))
        {
            error = "bad_request";
            return false;
        }

        var method = Token(ref requestLine);
        var target = Token(ref requestLine);
        var protocol = Token(ref requestLine);
        if (method.IsEmpty || target.IsEmpty)
        {
            error = "bad_request";
            return false;
        }

        request.Method = pool.Intern(method);
        JsonLineParser.SetPath(request, target.ToString());
        request.Protocol = protocol.IsEmpty ? null : pool.Intern(protocol);

        if (!int.TryParse(Token(ref line), NumberStyles.None, CultureInfo.InvariantCulture, out request.Status) || request.Status is < 100 or > 999)
        {
            error = "bad_status";
            return false;
        }

        Token(ref line); // bytes
        if (Quoted(ref line, out var referer) && !referer.IsEmpty && !referer.SequenceEqual("-"))
        {
            request.Referer = referer.ToString();
        }

        if (Quoted(ref line, out var ua) && !ua.IsEmpty && !ua.SequenceEqual("-"))
        {
            request.UserAgent = pool.Intern(ua);
        }

        return true;
    }

    private static ReadOnlySpan<char> Token(ref ReadOnlySpan<char> line)
    {
        line = line.TrimStart();
        var end = line.IndexOf(' ');
        var token = end < 0 ? line : line[..end];
        line = end < 0 ? default : line[end..];
        return token;
    }

    private static bool Quoted(ref ReadOnlySpan<char> line, out ReadOnlySpan<char> value)
    {
        value = default;
        line = line.TrimStart();
        if (line.IsEmpty || line[0] != '"')
        {
            return false;
        }

        // Find the closing quote, skipping backslash escapes (\" inside User-Agents).
        var i = 1;
        while (i < line.Length && line[i] != '"')
        {
            i += line[i] == '\\' ? 2 : 1;
        }

        if (i >= line.Length)
        {
            return false;
        }

        value = line[1..i];
        line = line[(i + 1)..];
        return true;
    }

    /// <summary>Parses <c>10/Oct/2000:13:55:36 -0700</c>.</summary>
    internal static bool TryParseTime(ReadOnlySpan<char> s, out DateTimeOffset at)
    {
        at = default;
        if (s.Length < 20 || s[2] != '/' || s[6] != '/' || s[11] != ':')
        {
            return false;
        }

        var month = 0;
        for (var m = 0; m < s_months.Length; m++)
        {
            if (s.Slice(3, 3).SequenceEqual(s_months[m]))
            {
                month = m + 1;
                break;
            }
        }

        if (month == 0
            || !int.TryParse(s[..2], NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            || !int.TryParse(s.Slice(7, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(s.Slice(12, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var hour)
            || !int.TryParse(s.Slice(15, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var minute)
            || !int.TryParse(s.Slice(18, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var second))
        {
            return false;
        }

        var offset = TimeSpan.Zero;
        var zone = s[20..].Trim();
        if (zone.Length == 5 && (zone[0] == '+' || zone[0] == '-')
            && int.TryParse(zone.Slice(1, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var zh)
            && int.TryParse(zone.Slice(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var zm))
        {
            offset = new TimeSpan(zh, zm, 0);
            if (zone[0] == '-')
            {
                offset = -offset;
            }
        }

        try
        {
            at = new DateTimeOffset(year, month, day, hour, minute, second, offset);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }
}
