namespace NumoTelemetry.Cli.Replay;

/// <summary>Input formats of <c>numo replay</c>.</summary>
internal enum ReplayFormat
{
    /// <summary>One JSON object per line.</summary>
    Jsonl,

    /// <summary>NCSA combined log format.</summary>
    Combined,
}
