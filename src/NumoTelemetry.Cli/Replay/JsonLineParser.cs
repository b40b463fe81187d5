using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NumoTelemetry.Capture;

namespace NumoTelemetry.Cli.Replay;

/// <summary>
/// Parses one JSON-lines request: required <c>ts</c> (ISO 8601), <c>ip</c>, <c>method</c>, <c>path</c>, <c>status</c>, <c>ua</c>; optional
/// <c>route</c>, <c>referer</c>, <c>cookie</c> (the raw Cookie header), <c>session</c>, <c>user</c>, <c>event</c>, <c>durationMs</c>,
/// <c>headers</c> (an object of header values). Unknown fields are ignored.
/// </summary>
internal static class JsonLineParser
{
    [ThreadStatic]
    private static char[]? t_chars;

    public static bool TryParse(ReadOnlySpan<byte> line, ReplayRequest request, StringPool pool, out string? error) =>
        TryParse(line, request, pool, null, out error);

    /// <summary>Parses a line; with <paramref name="recent"/>, values that repeat from line to line (paths, cookies, sessions, accounts) reuse their strings.</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, ReplayRequest request, StringPool pool, RecentStrings? recent, out string? error)
    {
        request.Reset();
        error = null;
        var seen = 0;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "not_object";
                return false;
            }

            var chars = t_chars ??= new char[2048];
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("ts"u8))
                {
                    reader.Read();
                    if (!reader.TryGetDateTimeOffset(out request.Timestamp) && !TryParseLooseTime(reader, out request.Timestamp))
                    {
                        error = "bad_ts";
                        return false;
                    }

                    seen |= 1;
                }
                else if (reader.ValueTextEquals("ip"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String || !ClientAddress.TryParse(Text(ref reader, chars), out request.Client))
                    {
                        error = "bad_ip";
                        return false;
                    }

                    seen |= 2;
                }
                else if (reader.ValueTextEquals("method"u8))
                {
                    reader.Read();
                    request.Method = pool.Get(Text(ref reader, chars));
                    seen |= 4;
                }
                else if (reader.ValueTextEquals("path"u8))
                {
                    reader.Read();
                    SetPath(request, reader.TokenType == JsonTokenType.String ? Str(ref reader, chars, recent) : "/");
                    seen |= 8;
                }
                else if (reader.ValueTextEquals("status"u8))
                {
                    reader.Read();
                    if (!(reader.TokenType == JsonTokenType.Number ? reader.TryGetInt32(out request.Status) : int.TryParse(Text(ref reader, chars), NumberStyles.None, CultureInfo.InvariantCulture, out request.Status)) || request.Status is < 100 or > 999)
                    {
                        error = "bad_status";
                        return false;
                    }

                    seen |= 16;
                }
                else if (reader.ValueTextEquals("ua"u8))
                {
                    reader.Read();
                    request.UserAgent = reader.TokenType == JsonTokenType.String ? pool.Get(Text(ref reader, chars)) : null;
                    seen |= 32;
                }
                else if (reader.ValueTextEquals("route"u8))
                {
                    reader.Read();
                    request.Route = reader.TokenType == JsonTokenType.String ? pool.Get(Text(ref reader, chars)) : null;
                }
                else if (reader.ValueTextEquals("referer"u8))
                {
                    reader.Read();
                    request.Referer = reader.TokenType == JsonTokenType.String ? Str(ref reader, chars, recent) : null;
                }
                else if (reader.ValueTextEquals("cookie"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        if (recent is null)
                        {
                            request.Cookie = reader.GetString();
                        }
                        else
                        {
                            request.SetCookie(Text(ref reader, chars));
                        }
                    }
                }
                else if (reader.ValueTextEquals("session"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        if (recent is null)
                        {
                            request.Session = reader.GetString();
                        }
                        else
                        {
                            request.SetSession(Text(ref reader, chars));
                        }
                    }
                }
                else if (reader.ValueTextEquals("user"u8))
                {
                    reader.Read();
                    request.User = reader.TokenType == JsonTokenType.String ? Str(ref reader, chars, recent) : null;
                }
                else if (reader.ValueTextEquals("event"u8))
                {
                    reader.Read();
                    request.Event = reader.TokenType == JsonTokenType.String ? pool.Get(Text(ref reader, chars)) : null;
                }
                else if (reader.ValueTextEquals("durationMs"u8))
                {
                    reader.Read();
                    request.DurationMs = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var ms) ? ms : null;
                }
                else if (reader.ValueTextEquals("headers"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            var name = reader.GetString()!;
                            reader.Read();
                            if (reader.TokenType == JsonTokenType.String)
                            {
                                request.Headers.Add(new KeyValuePair<string, string>(name, reader.GetString()!));
                            }
                            else
                            {
                                reader.Skip();
                            }
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            error = "bad_json";
            return false;
        }

        if (seen != 63)
        {
            error = (seen & 1) == 0 ? "missing_ts" : (seen & 2) == 0 ? "missing_ip" : (seen & 4) == 0 ? "missing_method" : (seen & 8) == 0 ? "missing_path" : (seen & 16) == 0 ? "missing_status" : "missing_ua";
            return false;
        }

        return true;
    }

    internal static void SetPath(ReplayRequest request, string path)
    {
        var q = path.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            request.Query = path[q..];
            path = path[..q];
        }

        request.Path = path.Length > 0 && path[0] == '/' ? path : "/" + path;
    }

    /// <summary>The current token as chars (strings unescaped); the buffer when it fits, else a new string.</summary>
    private static ReadOnlySpan<char> Text(ref Utf8JsonReader reader, char[] buffer)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            var raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
            var n = Encoding.UTF8.GetChars(raw[..Math.Min(raw.Length, buffer.Length)], buffer);
            return buffer.AsSpan(0, n);
        }

        if (!reader.ValueIsEscaped && !reader.HasValueSequence && reader.ValueSpan.Length <= buffer.Length)
        {
            var n = Encoding.UTF8.GetChars(reader.ValueSpan, buffer);
            return buffer.AsSpan(0, n);
        }

        return reader.GetString() ?? string.Empty;
    }

    /// <summary>The current string token, from <paramref name="recent"/> when given (no allocation for a repeat).</summary>
    private static string Str(ref Utf8JsonReader reader, char[] buffer, RecentStrings? recent) =>
        recent is null ? reader.GetString() ?? string.Empty : recent.Get(Text(ref reader, buffer));

    private static bool TryParseLooseTime(Utf8JsonReader reader, out DateTimeOffset at)
    {
        at = default;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var unix))
        {
            at = DateTimeOffset.FromUnixTimeMilliseconds((long)(unix > 1e11 ? unix : unix * 1000));
            return true;
        }

        return reader.TokenType == JsonTokenType.String
            && DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at);
    }
}
