using System.Text.Json;
using NumoTelemetry.Records;

namespace NumoTelemetry.SubjectRights;

/// <summary>What an erasure of the request log did (or, for a dry run, would do).</summary>
internal sealed class RequestLogErasure
{
    /// <summary>Files read.</summary>
    public int FilesScanned { get; set; }

    /// <summary>Files rewritten without the subject's lines (a dry run: files that would be).</summary>
    public int FilesRewritten { get; set; }

    /// <summary>Lines erased (a dry run: lines that would be).</summary>
    public long LinesErased { get; set; }

    /// <summary>Lines erased per file name.</summary>
    public SortedDictionary<string, long> PerFile { get; } = new(StringComparer.Ordinal);

    /// <summary>Files left alone because a writer opened them under the erasure (they hold none of the subject's lines).</summary>
    public int FilesLeftToWriter { get; set; }

    /// <summary>Whether a running site answered (sealed its file and stopped writing the subject's lines).</summary>
    public bool SiteAnswered { get; set; }

    /// <summary>The running site's fraud engine's answer (erased in-memory state), when it gave one.</summary>
    public JsonDocument? Fraud { get; set; }
}
