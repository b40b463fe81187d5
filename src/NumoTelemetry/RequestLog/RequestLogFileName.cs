using System.Globalization;

namespace NumoTelemetry.RequestLog;

/// <summary>
/// The names of the request log's files, <c>{prefix}-yyyyMMdd[-N].jsonl</c>, in the order they are written: by UTC day, then
/// by sequence number within the day.
/// </summary>
internal readonly record struct RequestLogFileName(DateOnly Day, int Sequence) : IComparable<RequestLogFileName>
{
    /// <summary>Parses the file name (not the path) of a request-log file of <paramref name="prefix"/>.</summary>
    public static bool TryParse(string fileName, string prefix, out RequestLogFileName name)
    {
        name = default;
        var text = fileName.AsSpan();
        if (!text.StartsWith(prefix, StringComparison.Ordinal) || text.Length < prefix.Length + 1 + 8 + 6
            || text[prefix.Length] != '-' || !text.EndsWith(".jsonl", StringComparison.Ordinal))
        {
            return false;
        }

        text = text[(prefix.Length + 1)..^6];
        if (!DateOnly.TryParseExact(text[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return false;
        }

        var sequence = 0;
        if (text.Length > 8 && (text[8] != '-' || !int.TryParse(text[9..], NumberStyles.None, CultureInfo.InvariantCulture, out sequence)))
        {
            return false;
        }

        name = new RequestLogFileName(day, sequence);
        return true;
    }

    /// <summary>The file name.</summary>
    public string ToFileName(string prefix) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}-{Day:yyyyMMdd}{(Sequence == 0 ? string.Empty : "-" + Sequence)}.jsonl");

    /// <summary>The request-log files of <paramref name="prefix"/> in <paramref name="directory"/>, oldest first.</summary>
    public static List<(RequestLogFileName Name, string Path)> List(string directory, string prefix)
    {
        var files = new List<(RequestLogFileName, string)>();
        if (!Directory.Exists(directory))
        {
            return files;
        }

        foreach (var path in Directory.EnumerateFiles(directory, prefix + "-*.jsonl"))
        {
            if (TryParse(Path.GetFileName(path), prefix, out var name))
            {
                files.Add((name, path));
            }
        }

        files.Sort(static (a, b) => a.Item1.CompareTo(b.Item1));
        return files;
    }

    /// <inheritdoc />
    public int CompareTo(RequestLogFileName other) => Day != other.Day ? Day.CompareTo(other.Day) : Sequence.CompareTo(other.Sequence);
}
