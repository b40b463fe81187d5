using System.Buffers;
using System.Text.Json;
using NumoTelemetry.Records;

namespace NumoTelemetry.RequestLog;

/// <summary>
/// The JSON form of a record in the request log. Only pseudonyms and low-cardinality facts; the daily
/// analytics visitor is deliberately left out, so the log cannot link analytics days to fraud pseudonyms.
/// </summary>
public static class RequestRecordJson
{
    [ThreadStatic]
    private static (RequestRecordJsonWriter Writer, ArrayBufferWriter<byte> Buffer)? t_writer;

    /// <summary>Writes <paramref name="record"/> as one JSON object (the request log's own writer's bytes).</summary>
    public static void Write(Utf8JsonWriter writer, in RequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var (json, buffer) = t_writer ??= (new RequestRecordJsonWriter(), new ArrayBufferWriter<byte>(1024));
        buffer.ResetWrittenCount();
        json.Write(buffer, in record);
        writer.WriteRawValue(buffer.WrittenSpan, skipInputValidation: true);
    }
}
