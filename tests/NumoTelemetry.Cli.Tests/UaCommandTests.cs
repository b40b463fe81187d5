using System.Text;
using System.Text.Json;
using NumoTelemetry.Cli.Commands;

namespace NumoTelemetry.Cli.Tests;

public sealed class UaCommandTests
{
    [Fact]
    public void Run_TwoUserAgents_WritesOneJsonObjectPerLine()
    {
        var input = new StringReader(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36\n" +
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)\n");
        using var output = new MemoryStream();

        var exit = UaCommand.Run(input, output, regexesPath: null);

        Assert.Equal(0, exit);
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using (var chrome = JsonDocument.Parse(lines[0]))
        {
            var root = chrome.RootElement;
            Assert.StartsWith("Mozilla/5.0 (Macintosh", root.GetProperty("ua").GetString(), StringComparison.Ordinal);
            Assert.Equal("Chrome", root.GetProperty("browser").GetProperty("family").GetString());
            Assert.Equal("131", root.GetProperty("browser").GetProperty("major").GetString());
            Assert.Equal("85", root.GetProperty("browser").GetProperty("patchMinor").GetString());
            Assert.Equal("Mac OS X", root.GetProperty("os").GetProperty("family").GetString());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("os").GetProperty("patchMinor").ValueKind);
            Assert.Equal("Apple", root.GetProperty("device").GetProperty("brand").GetString());
            Assert.False(root.GetProperty("bot").GetProperty("isBot").GetBoolean());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("bot").GetProperty("name").ValueKind);
        }

        using var bot = JsonDocument.Parse(lines[1]);
        Assert.True(bot.RootElement.GetProperty("bot").GetProperty("isBot").GetBoolean());
        Assert.Equal("Googlebot", bot.RootElement.GetProperty("bot").GetProperty("name").GetString());
        Assert.Equal("Spider", bot.RootElement.GetProperty("device").GetProperty("family").GetString());
    }

    [Fact]
    public void Timing_CachedHit_IsMeasuredOnHitsOnlyAndAllocatesNothing()
    {
        var lines = new StringBuilder();
        for (var i = 0; i < 40; i++)
        {
            lines.Append(i % 2 == 0
                ? $"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{i}.0.0.0 Safari/537.36\n"
                : $"Mozilla/5.0 (iPhone; CPU iPhone OS 17_{i} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{i} Mobile/15E148 Safari/604.1\n");
        }

        using var output = new MemoryStream();

        var exit = UaTiming.Run(new StringReader(lines.ToString()), output, regexesPath: null);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output.ToArray());
        var root = json.RootElement;
        Assert.Equal(40, root.GetProperty("count").GetInt32());
        Assert.Equal(0, root.GetProperty("cachedHitMisses").GetInt64());
        Assert.Equal(0, root.GetProperty("cachedHitBytes").GetDouble());
        Assert.True(root.GetProperty("cachedHitNs").GetDouble() > 0);
    }

    [Fact]
    public void Run_RegexesOption_UsesThatFile()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "user_agent_parsers:\n  - regex: '(Numo)/(\\d+)'\nos_parsers: []\ndevice_parsers: []\n");
            using var output = new MemoryStream();

            UaCommand.Run(new StringReader("Numo/7 \"quoted\" ünï\n"), output, path);

            using var json = JsonDocument.Parse(Encoding.UTF8.GetString(output.ToArray()));
            Assert.Equal("Numo/7 \"quoted\" ünï", json.RootElement.GetProperty("ua").GetString());
            Assert.Equal("Numo", json.RootElement.GetProperty("browser").GetProperty("family").GetString());
            Assert.Equal("7", json.RootElement.GetProperty("browser").GetProperty("major").GetString());
            Assert.Equal("Other", json.RootElement.GetProperty("os").GetProperty("family").GetString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Run_MissingRegexesFile_OneLineOnStderrAndExitCode2()
    {
        var path = Path.Combine(Path.GetTempPath(), "numo-missing-" + Guid.NewGuid().ToString("N") + ".yaml");
        using var output = new MemoryStream();
        var error = new StringWriter();

        var exit = UaCommand.Run(new StringReader("curl/8.0\n"), output, path, error);

        Assert.Equal(2, exit);
        Assert.Equal(0, output.Length);
        var message = error.ToString();
        Assert.Single(message.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("numo ua: cannot use --regexes " + path, message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_InvalidRegexesFile_OneLineOnStderrAndExitCode2()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "something: [unclosed\n");
            var error = new StringWriter();

            var exit = UaCommand.Run(new StringReader("curl/8.0\n"), new MemoryStream(), path, error);

            Assert.Equal(2, exit);
            Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("Invalid regexes.yaml", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task RunAsync_InputArrivesSlowly_EachResultIsFlushedBeforeTheNextLine()
    {
        // A pipe that delivers one line, then waits (tail -f): the first result must reach the output
        // while the command waits for the second line, not when input ends.
        var pipe = new System.IO.Pipelines.Pipe();
        using var reader = new StreamReader(pipe.Reader.AsStream(), Encoding.UTF8);
        var output = new NotifyingStream();
        var run = UaCommand.RunAsync(reader, output, regexesPath: null, TextWriter.Null, CancellationToken.None);

        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes("curl/8.0\n"));
        var first = await output.FirstWrite.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("\"curl\"", Encoding.UTF8.GetString(first), StringComparison.Ordinal);
        Assert.False(run.IsCompleted);

        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes("Wget/1.21\n"));
        await pipe.Writer.CompleteAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Invoke_UaCommandThroughRootCommand_ParsesOptions()
    {
        var command = UaCommand.Create();

        var parse = command.Parse(["--regexes", "some.yaml"]);

        Assert.Empty(parse.Errors);
        Assert.Equal("ua", command.Name);
    }

    /// <summary>A memory stream that reports the bytes of its first write.</summary>
    private sealed class NotifyingStream : MemoryStream
    {
        public TaskCompletionSource<byte[]> FirstWrite { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Write(byte[] buffer, int offset, int count)
        {
            base.Write(buffer, offset, count);
            FirstWrite.TrySetResult(buffer.AsSpan(offset, count).ToArray());
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            base.Write(buffer);
            FirstWrite.TrySetResult(buffer.ToArray());
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
    }
}
