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
        var command = new Command("ua", "Parse User-Agents (one per line on stdin) into JSON lines: browser, OS, device and bot classification.") { regexes, timing };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(regexes)?.FullName;
            using var input = new StreamReader(Console.OpenStandardInput(), Encoding.UTF8);
            using var output = Console.OpenStandardOutput();
            return parse.GetValue(timing)
                ? UaTiming.Run(input, output, path)
                : Run(input, output, path, flushEachLine: !Console.IsInputRedirected);
        });
        return command;
    }

    /// <summary>Parses every line of <paramref name="input"/> into a JSON line on <paramref name="output"/>.</summary>
    internal static int Run(TextReader input, Stream output, string? regexesPath, bool flushEachLine = false)
    {
        var parser = new UserAgentParser(new UserAgentParserOptions { RegexesPath = regexesPath });
        using var buffered = new BufferedStream(output, 1 << 16);
        using var writer = new Utf8JsonWriter(buffered, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        while (input.ReadLine() is { } line)
        {
            Write(writer, line, parser.Parse(line));
            writer.Flush();
            writer.Reset();
            buffered.WriteByte((byte)'\n');
            if (flushEachLine)
            {
                buffered.Flush();
            }
        }

        buffered.Flush();
        return 0;
    }

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
