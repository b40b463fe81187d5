using System.Globalization;
using System.Text;
using NumoTelemetry.Dashboard.Query.Models;

namespace NumoTelemetry.Dashboard.Http;

/// <summary>CSV export of released data. Suppressed cells are written as <c>&lt; k</c>; cells that a spreadsheet would run as a formula are quoted harmless.</summary>
internal static class CsvWriter
{
    public static string Series(Overview overview)
    {
        var text = new StringBuilder("bucket_start_utc,page_views,visitors\n");
        var suppressed = "< " + overview.K.ToString(CultureInfo.InvariantCulture);
        foreach (var point in overview.Series)
        {
            text.Append(point.T.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append(',')
                .Append(Number(point.PageViews, suppressed)).Append(',')
                .Append(Number(point.Visitors, suppressed)).Append('\n');
        }

        return text.ToString();
    }

    public static string Top(TopList list, int k)
    {
        var suppressed = "< " + k.ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.Append(Field(list.Dimension)).Append(',').Append(list.Metric == "pageViews" ? "page_views" : "requests").Append(",visitors\n");
        foreach (var row in list.Rows)
        {
            Row(text, row, suppressed);
        }

        if (list.Other is { } other)
        {
            Row(text, other, suppressed);
        }

        Row(text, list.Total, suppressed);
        return text.ToString();
    }

    private static void Row(StringBuilder text, TopRow row, string suppressed) =>
        text.Append(Field(row.Label)).Append(',')
            .Append(Number(row.Value, suppressed)).Append(',')
            .Append(row.Suppressed ? suppressed : row.Visitors?.ToString(CultureInfo.InvariantCulture) ?? string.Empty).Append('\n');

    private static string Number(long? value, string suppressed) =>
        value?.ToString(CultureInfo.InvariantCulture) ?? suppressed;

    /// <summary>Quotes a field; a leading <c>= + - @</c>, tab or carriage return gets an apostrophe so it is not run as a formula.</summary>
    internal static string Field(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\n\r") >= 0 || value.StartsWith('\'')
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
    }
}
