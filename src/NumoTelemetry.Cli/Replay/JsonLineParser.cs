using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NumoTelemetry.Internal;
using NumoTelemetry.Records;

namespace NumoTelemetry.Cli.Replay;

/// <summary>
/// Parses one JSON-lines request: required <c>ts</c> (ISO 8601), <c>ip</c>, <c>method</c>, <c>path</c>, <c>status</c>, <c>ua</c>; optional
/// <c>route</c>, <c>referer</c>, <c>cookie</c> (the raw Cookie header), <c>session</c>, <c>user</c>, <c>event</c>, <c>phone</c> (with
/// <c>otp_requested</c>/<c>otp_verified</c>), <c>durationMs</c>,
/// <c>headers</c> (an object of header values). Unknown fields are ignored. <c>ts</c> may also be a number (Unix seconds, or milliseconds
/// above 10^11). A line is refused with a reason (<c>bad_json</c>, <c>bad_ts</c>, <c>bad_string</c> for a string that is not text, such
/// as a lone surrogate escape or invalid UTF-8, <c>missing_ua</c>, …) and never throws for what is in it.
/// </summary>
internal static class JsonLineParser
{
    private static readonly long s_minUnixMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long s_maxUnixMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The longest <c>durationMs</c> taken (a <see cref="TimeSpan"/> holds it).</summary>
    private const double MaxDurationMs = 864_000_000_000d;

    [ThreadStatic]
    private static char[]? t_chars;

    public static bool TryParse(ReadOnlySpan<byte> line, ReplayRequest request, BoundedInterner pool, out string? error) =>
        TryParse(line, request, pool, null, out error);

    /// <summary>Parses a line; with <paramref name="recent"/>, values that repeat from line to line (paths, cookies, sessions, accounts) reuse their strings.</summary>
    // Long because: a tight single-pass parser: one switch over the JSON line's property names.
    public static bool TryParse(ReadOnlySpan<byte> line, ReplayRequest request, BoundedInterner pool, RecentStrings? recent, out string? error)
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
                    if (!TryGetTime(ref reader, out request.Timestamp))
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
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        error = "bad_method";
                        return false;
                    }

                    request.Method = pool.Intern(Text(ref reader, chars));
                    seen |= 4;
                }
                else if (reader.ValueTextEquals("path"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        error = "bad_path";
                        return false;
                    }

                    SetPath(request, Str(ref reader, chars, recent));
                    seen |= 8;
                }
                else if (reader.ValueTextEquals("status"u8))
                {
                    reader.Read();
                    if (!(reader.TokenType switch
                        {
                            JsonTokenType.Number => reader.TryGetInt32(out request.Status),
                            JsonTokenType.String => int.TryParse(Text(ref reader, chars), NumberStyles.None, CultureInfo.InvariantCulture, out request.Status),
                            _ => false,
                        }) || request.Status is < 100 or > 999)
                    {
                        error = "bad_status";
                        return false;
                    }

                    seen |= 16;
                }
                else if (reader.ValueTextEquals("ua"u8))
                {
                    reader.Read();
                    request.UserAgent = reader.TokenType == JsonTokenType.String ? pool.Intern(Text(ref reader, chars)) : null;
                    reader.Skip(); // an object or array: no User-Agent
                    seen |= 32;
                }
                else if (reader.ValueTextEquals("route"u8))
                {
                    reader.Read();
                    request.Route = reader.TokenType == JsonTokenType.String ? pool.Intern(Text(ref reader, chars)) : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("referer"u8))
                {
                    reader.Read();
                    request.Referer = reader.TokenType == JsonTokenType.String ? Str(ref reader, chars, recent) : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("cookie"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        if (recent is null)
                        {
                            request.Cookie = GetString(ref reader);
                        }
                        else
                        {
                            request.SetCookie(Text(ref reader, chars));
                        }
                    }

                    reader.Skip();
                }
                else if (reader.ValueTextEquals("session"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        if (recent is null)
                        {
                            request.Session = GetString(ref reader);
                        }
                        else
                        {
                            request.SetSession(Text(ref reader, chars));
                        }
                    }

                    reader.Skip();
                }
                else if (reader.ValueTextEquals("user"u8))
                {
                    reader.Read();
                    request.User = reader.TokenType == JsonTokenType.String ? Str(ref reader, chars, recent) : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("event"u8))
                {
                    reader.Read();
                    request.Event = reader.TokenType == JsonTokenType.String ? pool.Intern(Text(ref reader, chars)) : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("phone"u8))
                {
                    // A raw number: not pooled or cached (it is pseudonymised by the event and dropped with the line).
                    reader.Read();
                    request.Phone = reader.TokenType == JsonTokenType.String ? GetString(ref reader) : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("durationMs"u8))
                {
                    reader.Read();
                    request.DurationMs = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var ms) ? ms : null;
                    if (request.DurationMs is < 0 or > MaxDurationMs)
                    {
                        error = "bad_duration";
                        return false;
                    }

                    reader.Skip();
                }
                else if (reader.ValueTextEquals("headers"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            var name = GetString(ref reader);
                            reader.Read();
                            if (reader.TokenType == JsonTokenType.String)
                            {
                                request.Headers.Add(new KeyValuePair<string, string>(name, GetString(ref reader)));
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
        catch (BadStringException)
        {
            error = "bad_string";
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

    /// <summary>The current string token as chars, unescaped; the buffer when it fits, else a new string. Not text: <see cref="BadStringException"/>.</summary>
    private static ReadOnlySpan<char> Text(ref Utf8JsonReader reader, char[] buffer)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence && reader.ValueSpan.Length <= buffer.Length)
        {
            try
            {
                var n = s_strictUtf8.GetChars(reader.ValueSpan, buffer);
                return buffer.AsSpan(0, n);
            }
            catch (DecoderFallbackException)
            {
                throw new BadStringException(); // as GetString refuses invalid UTF-8 in an escaped string
            }
        }

        return GetString(ref reader);
    }

    /// <summary>The current string token, from <paramref name="recent"/> when given (no allocation for a repeat).</summary>
    private static string Str(ref Utf8JsonReader reader, char[] buffer, RecentStrings? recent) =>
        recent is null ? GetString(ref reader) : recent.Get(Text(ref reader, buffer));

    /// <summary>The current string token; a string that is not text (a lone surrogate escape, invalid UTF-8) throws <see cref="BadStringException"/>.</summary>
    private static string GetString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString() ?? string.Empty;
        }
        catch (InvalidOperationException)
        {
            throw new BadStringException();
        }
    }

    /// <summary>An ISO 8601 string, or a number: Unix seconds, or milliseconds above 10^11. Anything else, or out of range: false.</summary>
    private static bool TryGetTime(ref Utf8JsonReader reader, out DateTimeOffset at)
    {
        at = default;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                bool iso;
                try
                {
                    iso = reader.TryGetDateTimeOffset(out at);
                }
                catch (InvalidOperationException)
                {
                    throw new BadStringException(); // a lone surrogate escape
                }

                return iso || DateTimeOffset.TryParse(GetString(ref reader), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at);
            case JsonTokenType.Number:
                if (!reader.TryGetDouble(out var unix))
                {
                    return false;
                }

                var ms = Math.Round(unix > 1e11 ? unix : unix * 1000);
                if (!(ms >= s_minUnixMs && ms <= s_maxUnixMs))
                {
                    return false;
                }

                at = DateTimeOffset.FromUnixTimeMilliseconds((long)ms);
                return true;
            default:
                reader.Skip();
                return false;
        }
    }

    /// <summary>A JSON string that is not text; the line is skipped as <c>bad_string</c>.</summary>
    private sealed class BadStringException : Exception;
}
