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
        text.Append(Field(list.Dimension)).Append(',').Append(list.Metric switch { "pageViews" => "page_views", "events" => "events", "visits" => "visits", _ => "requests" }).Append(",visitors\n");
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

    /// <summary>
    /// Makes a field safe for spreadsheets (OWASP CSV injection). A field whose first character (after any leading
    /// spaces), or the first character after any delimiter a spreadsheet may split on (comma, semicolon in many European locales, tab),
    /// is <c>= + - @</c>, tab or carriage return gets a leading apostrophe, so it is text and never a formula; and
    /// every field holding a delimiter, quote, apostrophe or line break is quoted, so it stays one cell whichever
    /// delimiter the reader uses.
    /// </summary>
    internal static string Field(string value)
    {
        if (StartsFormula(value, SkipSpaces(value, 0)) || FormulaAfterDelimiter(value))
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",;\t\"\n\r'") >= 0
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
    }

    private static bool FormulaAfterDelimiter(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] is ',' or ';' or '\t')
            {
                // Spaces after a delimiter are skipped by some readers before they look for a formula.
                if (StartsFormula(value, SkipSpaces(value, i + 1)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The first index at or after <paramref name="at"/> that is not a space (readers that trim skip them).</summary>
    private static int SkipSpaces(string value, int at)
    {
        while (at < value.Length && value[at] == ' ')
        {
            at++;
        }

        return at;
    }

    private static bool StartsFormula(string value, int at) =>
        at < value.Length && value[at] is '=' or '+' or '-' or '@' or '\t' or '\r';
}
