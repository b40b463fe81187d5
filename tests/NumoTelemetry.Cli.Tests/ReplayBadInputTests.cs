using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using NumoTelemetry.Cli.Commands;
using NumoTelemetry.Cli.Replay;

namespace NumoTelemetry.Cli.Tests;

/// <summary>
/// <c>numo replay</c> on bad input: every bad line is skipped and counted by reason, the totals add up
/// (lines read = replayed + skipped = replayed + the sum of the reasons), and the exit code is 0 unless the input cannot be read.
/// </summary>
public sealed partial class ReplayBadInputTests() : ReplayTestFiles("numo-replay-bad-")
{
    private const string Good = "{\"ts\":\"2026-03-02T06:00:00Z\",\"ip\":\"81.2.3.4\",\"method\":\"GET\",\"path\":\"/p\",\"status\":200,\"ua\":\"x\"}";
    private const string Combined = "81.2.3.4 - - [02/Mar/2026:06:00:00 +0000] \"GET /p HTTP/1.1\" 200 10 \"-\" \"x\"";

    private (int Code, string Stderr) Replay(byte[] input, ReplayFormat format = ReplayFormat.Jsonl)
    {
        var path = Path.Combine(WorkDirectory, $"input-{Guid.NewGuid():N}.log");
        File.WriteAllBytes(path, input);
        return Replay(path, format, () => File.OpenRead(path));
    }

    private (int Code, string Stderr) Replay(string input, ReplayFormat format, Func<Stream> stdin)
    {
        using var stdout = new MemoryStream();
        using var stderr = new StringWriter();
        var code = ReplayCommand.Run(input, format, null, new FileInfo(KeyFilePath()), null, null, stdin, stdout, stderr);
        return (code, stderr.ToString());
    }

    private static byte[] Text(params string[] lines) => Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");

    /// <summary>The summary line's totals: lines, replayed, skipped and each reason.</summary>
    private static (long Lines, long Replayed, long Skipped, Dictionary<string, long> Reasons) Totals(string stderr)
    {
        var match = SummaryPattern().Match(stderr);
        Assert.True(match.Success, stderr);
        static long N(string s) => long.Parse(s, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        var reasons = new Dictionary<string, long>(StringComparer.Ordinal);
        if (match.Groups[4].Success)
        {
            foreach (var part in match.Groups[4].Value.Split(", "))
            {
                var space = part.LastIndexOf(' ');
                reasons.Add(part[..space], N(part[(space + 1)..]));
            }
        }

        return (N(match.Groups[1].Value), N(match.Groups[2].Value), N(match.Groups[3].Value), reasons);
    }

    private static void AssertAddsUp(string stderr, long lines)
    {
        var t = Totals(stderr);
        Assert.Equal(lines, t.Lines);
        Assert.Equal(t.Lines, t.Replayed + t.Skipped);
        Assert.Equal(t.Skipped, t.Reasons.Values.Sum());
    }

    [GeneratedRegex(@"numo replay: ([\d,]+) lines \(([\d,]+) replayed, ([\d,]+) skipped(?:: ([^)]*))?\)")]
    private static partial Regex SummaryPattern();

    [Fact]
    public void Run_NumericTs_ReplayedAsUnixTime()
    {
        var (code, stderr) = Replay(Text(
            Good.Replace("\"2026-03-02T06:00:00Z\"", "1733450000", StringComparison.Ordinal),
            Good.Replace("\"2026-03-02T06:00:00Z\"", "1733450000123", StringComparison.Ordinal),
            Good.Replace("\"2026-03-02T06:00:00Z\"", "1e300", StringComparison.Ordinal),
            Good.Replace("\"2026-03-02T06:00:00Z\"", "-1e300", StringComparison.Ordinal),
            Good.Replace("\"2026-03-02T06:00:00Z\"", "true", StringComparison.Ordinal),
            Good.Replace("\"2026-03-02T06:00:00Z\"", "{\"a\":[1]}", StringComparison.Ordinal)));
        Assert.Equal(0, code);
        var t = Totals(stderr);
        Assert.Equal(2, t.Replayed);
        Assert.Equal(4, t.Reasons["bad_ts"]);
        AssertAddsUp(stderr, 6);
    }

    [Theory]
    [InlineData("ua")]
    [InlineData("path")]
    [InlineData("method")]
    [InlineData("ip")]
    [InlineData("user")]
    [InlineData("session")]
    [InlineData("cookie")]
    [InlineData("referer")]
    [InlineData("route")]
    [InlineData("event")]
    [InlineData("ts")]
    [InlineData("headers")]
    public void Run_LoneSurrogateEscape_SkippedAsBadString(string field)
    {
        var line = field switch
        {
            "ua" or "path" or "method" or "ip" or "ts" => Good.Replace($"\"{field}\":\"", $"\"{field}\":\"\\ud800", StringComparison.Ordinal),
            "headers" => Good[..^1] + ",\"headers\":{\"X-A\\udc00\":\"v\\ud800\"}}",
            _ => Good[..^1] + $",\"{field}\":\"a\\ud800b\"}}",
        };
        var (code, stderr) = Replay(Text(line, Good));
        Assert.Equal(0, code);
        var t = Totals(stderr);
        Assert.Equal(1, t.Replayed);
        Assert.Equal(1, t.Reasons["bad_string"]);
        AssertAddsUp(stderr, 2);
    }

    [Fact]
    public void Run_InvalidUtf8InAString_SkippedAsBadString()
    {
        var bytes = Text(Good.Replace("\"ua\":\"x\"", "\"ua\":\"\\u0041ZZ\"", StringComparison.Ordinal), Good.Replace("\"ua\":\"x\"", "\"ua\":\"ZZ\"", StringComparison.Ordinal), Good);
        for (var i = 0; i < bytes.Length - 1; i++)
        {
            if (bytes[i] == 'Z' && bytes[i + 1] == 'Z')
            {
                bytes[i] = 0xC3; // a lead byte, then 0x28: not UTF-8
                bytes[i + 1] = 0x28;
            }
        }

        var (code, stderr) = Replay(bytes);
        Assert.Equal(0, code);
        var t = Totals(stderr);
        Assert.Equal(1, t.Replayed);
        Assert.Equal(2, t.Reasons["bad_string"]);
        AssertAddsUp(stderr, 3);
    }

    [Theory]
    [InlineData("jsonl")]
    [InlineData("combined")]
    public void Run_LineOverOneMiB_CountedAsTooLongAndTheNextLineReplayed(string formatName)
    {
        var format = formatName == "jsonl" ? ReplayFormat.Jsonl : ReplayFormat.Combined;
        var good = format == ReplayFormat.Jsonl ? Good : Combined;
        var huge = new string('a', (1 << 20) + 4096);
        var (code, stderr) = Replay(Text(good, huge, good, huge), format); // the last one ends with the input's last newline
        Assert.Equal(0, code);
        var t = Totals(stderr);
        Assert.Equal(2, t.Replayed);
        Assert.Equal(2, t.Reasons["too_long"]);
        AssertAddsUp(stderr, 4);

        var (_, unterminated) = Replay(Encoding.UTF8.GetBytes(good + "\n" + huge), format); // no newline at the end
        Assert.Equal(1, Totals(unterminated).Reasons["too_long"]);
        AssertAddsUp(unterminated, 2);
    }

    [Fact]
    public void Run_CombinedLongLinesOfBothKinds_ReasonsAddUpToTheSkipTotal()
    {
        // One line too long for the combined parser's buffer (64 Ki chars) and one too long for the line reader (1 MiB): both "too_long".
        var (code, stderr) = Replay(Text(Combined, Combined.Replace("\"x\"", "\"" + new string('x', 70_000) + "\"", StringComparison.Ordinal), new string('b', 3 << 20), Combined), ReplayFormat.Combined);
        Assert.Equal(0, code);
        Assert.Equal(2, Totals(stderr).Reasons["too_long"]);
        AssertAddsUp(stderr, 4);
    }

    [Fact]
    public void Run_NonStringValues_SkippedOrDefaultedNeverAborts()
    {
        var (code, stderr) = Replay(Text(
            Good.Replace("\"method\":\"GET\"", "\"method\":[\"GET\",{\"ts\":1}]", StringComparison.Ordinal),
            Good.Replace("\"path\":\"/p\"", "\"path\":{\"status\":1}", StringComparison.Ordinal),
            Good.Replace("\"status\":200", "\"status\":[200]", StringComparison.Ordinal),
            Good.Replace("\"status\":200", "\"status\":2e9", StringComparison.Ordinal),
            Good[..^1] + ",\"durationMs\":1e400}",
            Good[..^1] + ",\"durationMs\":-5}",
            Good[..^1] + ",\"headers\":[1,2]}",
            Good[..^1] + ",\"headers\":{\"X\":{\"y\":1}}}",
            "[]",
            "{}",
            "\"ts\"",
            "{\"ts\":",
            "\u0000\u0001\u0002",
            Good));
        Assert.Equal(0, code);
        var t = Totals(stderr);
        Assert.Equal(1, t.Reasons["bad_method"]);
        Assert.Equal(1, t.Reasons["bad_path"]);
        Assert.Equal(2, t.Reasons["bad_status"]);
        Assert.Equal(2, t.Reasons["bad_duration"]); // 1e400 reads as infinity
        AssertAddsUp(stderr, 14);
    }

    [Fact]
    public void Run_SeededGarbage_NeverAbortsAndTheTotalsAddUp()
    {
        // Valid lines of both formats mutated: cut short, bytes flipped or inserted, escapes and other kinds of values spliced in.
        string[] splices = ["\\ud800", "\\udfff", "\\u0000", "\\", "\"", "{", "}", "[", "]", ":", ",", "1e999", "-0", "null", "\"ts\":1", "\u00e9", "\r", "\t"];
        foreach (var format in new[] { ReplayFormat.Jsonl, ReplayFormat.Combined })
        {
            var seed = format == ReplayFormat.Jsonl ? 12 : 13;
            var random = new Random(seed);
            var baseLine = Encoding.UTF8.GetBytes(format == ReplayFormat.Jsonl ? Good[..^1] + ",\"user\":\"u\",\"session\":\"s\",\"cookie\":\"c=1\",\"headers\":{\"X-A\":\"b\"}}" : Combined);
            var input = new MemoryStream();
            const int Lines = 3000;
            for (var i = 0; i < Lines; i++)
            {
                var line = new List<byte>(baseLine);
                switch (random.Next(6))
                {
                    case 0:
                        var cut = random.Next(line.Count);
                        line.RemoveRange(cut, line.Count - cut);
                        break;
                    case 1:
                        for (var n = random.Next(1, 6); n > 0; n--)
                        {
                            line[random.Next(line.Count)] = (byte)random.Next(256);
                        }

                        break;
                    case 2:
                    case 3:
                        line.InsertRange(random.Next(line.Count), Encoding.UTF8.GetBytes(splices[random.Next(splices.Length)]));
                        break;
                    case 4:
                        line = [.. Enumerable.Range(0, random.Next(200)).Select(_ => (byte)random.Next(256))];
                        break;
                }

                line.RemoveAll(b => b == (byte)'\n');
                input.Write([.. line]);
                input.WriteByte((byte)'\n');
            }

            var (code, stderr) = Replay(input.ToArray(), format);
            Assert.Equal(0, code);
            AssertAddsUp(stderr, Lines);
            Assert.InRange(Totals(stderr).Replayed, 1, Lines - 1);
        }
    }

    [Fact]
    public void Run_InputFailsWhileReading_ExitsNonZeroWithAMessageAndTheCountsSoFar()
    {
        var (code, stderr) = Replay("-", ReplayFormat.Jsonl, () => new FailingStream(Text(Good, Good)));
        Assert.NotEqual(0, code);
        Assert.Contains("numo replay: cannot read --input -", stderr, StringComparison.Ordinal);
        Assert.Contains("disk on fire", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        AssertAddsUp(stderr, 2);
    }

    [Fact]
    public void Run_InputCannotBeOpened_ExitsNonZeroWithAMessage()
    {
        var (code, stderr) = Replay("-", ReplayFormat.Jsonl, () => throw new UnauthorizedAccessException("Access to the path is denied."));
        Assert.Equal(2, code);
        Assert.Contains("numo replay: cannot read --input -: Access to the path is denied.", stderr, StringComparison.Ordinal);

        var (dirCode, dirStderr) = Replay(WorkDirectory, ReplayFormat.Jsonl, () => Stream.Null);
        Assert.Equal(2, dirCode);
        Assert.Contains(WorkDirectory, dirStderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{\"NumoTelemetry\":{\"Pseudonymization\":{\"CurrentKeyId\":\"abc\"}}}")]
    [InlineData("{\"NumoTelemetry\":{\"Pseudonymization\":{\"KeyFile\":{\"Path\":\"k.json\"}}}}")]
    public void Run_ConfigThatCannotBeLoaded_ExitsWithAMessage(string json)
    {
        var config = Path.Combine(WorkDirectory, "appsettings.json");
        File.WriteAllText(config, json);
        using var stderr = new StringWriter();
        var code = ReplayCommand.Run("-", ReplayFormat.Jsonl, null, null, new FileInfo(config), null, () => new MemoryStream(Text(Good)), Stream.Null, stderr);
        Assert.Equal(2, code);
        Assert.StartsWith("numo replay: ", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Serves its bytes, then fails as a disk or a pipe can.</summary>
    private sealed class FailingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = base.Read(buffer, offset, count);
            return n > 0 ? n : throw new IOException("disk on fire");
        }

        public override int Read(Span<byte> buffer)
        {
            var n = base.Read(buffer);
            return n > 0 ? n : throw new IOException("disk on fire");
        }
    }
}
