using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Cli.Commands;

/// <summary>
/// <c>numo ua [--regexes FILE]</c>: reads one User-Agent per line on standard input and writes one JSON
/// object per line: <c>{"ua","browser":{...},"os":{...},"device":{...},"bot":{"isBot","name"}}</c>.
/// <c>--timing</c> measures the engine on the same input instead (used by benchmarks/ua-compare).
/// </summary>
internal static class UaCommand
{
    public static Command Create()
    {
        var regexes = new Option<FileInfo?>("--regexes") { Description = "A uap-core regexes.yaml to use instead of the embedded one." };
        var timing = new Option<bool>("--timing") { Description = "Time the engine on the input lines and print one JSON summary (ready, first parse, uncached mean/p99, allocation, cached hit).", Hidden = true };
        var attacks = new Option<FileInfo?>("--attacks") { Description = "With --timing: also time each ReDoS attack string of uap-core's tests/regexes.js (best of 5 per string).", Hidden = true };
        var command = new Command("ua", "Parse User-Agents (one per line on stdin) into JSON lines: browser, OS, device and bot classification.") { regexes, timing, attacks };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(regexes)?.FullName;
            var error = parse.InvocationConfiguration.Error;

            // A large read buffer: a file or a busy pipe is read in big chunks, and output is flushed
            // only when the next line has to wait for input.
            using var input = new StreamReader(Console.OpenStandardInput(), Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
            using var output = Console.OpenStandardOutput();
            if (parse.GetValue(timing))
            {
                try
                {
                    return UaTiming.Run(input, output, path, parse.GetValue(attacks)?.FullName);
                }
                catch (Exception ex) when (path is not null && ex is IOException or UnauthorizedAccessException or InvalidDataException)
                {
                    await error.WriteLineAsync(Message(path, ex)).ConfigureAwait(false);
                    return 2;
                }
            }

            return await RunAsync(input, output, path, error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Parses every line of <paramref name="input"/> into a JSON line on <paramref name="output"/>.</summary>
    internal static int Run(TextReader input, Stream output, string? regexesPath, TextWriter? error = null) =>
        RunAsync(input, output, regexesPath, error ?? TextWriter.Null, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// Parses every line of <paramref name="input"/> into a JSON line on <paramref name="output"/>. Output is
    /// buffered, and flushed whenever the next line is not available yet, so that a slow producer
    /// (<c>tail -f access.log | numo ua</c>) sees each result as soon as its line is in. A missing or
    /// invalid <paramref name="regexesPath"/> is one line on <paramref name="error"/> and exit code 2.
    /// </summary>
    internal static async Task<int> RunAsync(TextReader input, Stream output, string? regexesPath, TextWriter error, CancellationToken cancellationToken)
    {
        var parser = CreateParser(regexesPath, cacheSize: new UserAgentParserOptions().CacheSize, error);
        if (parser is null)
        {
            return 2;
        }

        var buffered = new BufferedStream(output, 1 << 16);
        await using (buffered.ConfigureAwait(false))
        {
            using var writer = new Utf8JsonWriter(buffered, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            while (true)
            {
                var next = input.ReadLineAsync(cancellationToken);
                if (!next.IsCompleted)
                {
                    // The reader has to wait for more input: what is written so far goes out now.
                    await buffered.FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                if (await next.ConfigureAwait(false) is not { } line)
                {
                    break;
                }

                Write(writer, line, parser.Parse(line));
                writer.Flush();
                writer.Reset();
                buffered.WriteByte((byte)'\n');
            }

            await buffered.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>Creates the parser, or reports why <paramref name="regexesPath"/> cannot be used in one line and returns null.</summary>
    internal static UserAgentParser? CreateParser(string? regexesPath, int cacheSize, TextWriter error)
    {
        try
        {
            return new UserAgentParser(new UserAgentParserOptions { RegexesPath = regexesPath, CacheSize = cacheSize });
        }
        catch (Exception ex) when (regexesPath is not null && ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            error.WriteLine(Message(regexesPath, ex));
            return null;
        }
    }

    private static string Message(string regexesPath, Exception ex) =>
        $"numo ua: cannot use --regexes {regexesPath}: {ex.Message.ReplaceLineEndings(" ")}";

    private static void Write(Utf8JsonWriter writer, string ua, UserAgentInfo info)
    {
        writer.WriteStartObject();
        writer.WriteString("ua"u8, ua);
        WriteVersioned(writer, "browser"u8, info.Browser);
        WriteVersioned(writer, "os"u8, info.Os);
        writer.WriteStartObject("device"u8);
        writer.WriteString("family"u8, info.Device.Family);
        writer.WriteString("brand"u8, info.Device.Brand);
        writer.WriteString("model"u8, info.Device.Model);
        writer.WriteEndObject();
        writer.WriteStartObject("bot"u8);
        writer.WriteBoolean("isBot"u8, info.Bot.IsBot);
        writer.WriteString("name"u8, info.Bot.Name);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteVersioned(Utf8JsonWriter writer, ReadOnlySpan<byte> name, VersionedFamily family)
    {
        writer.WriteStartObject(name);
        writer.WriteString("family"u8, family.Family);
        writer.WriteString("major"u8, family.Major);
        writer.WriteString("minor"u8, family.Minor);
        writer.WriteString("patch"u8, family.Patch);
        writer.WriteString("patchMinor"u8, family.PatchMinor);
        writer.WriteEndObject();
    }
}
