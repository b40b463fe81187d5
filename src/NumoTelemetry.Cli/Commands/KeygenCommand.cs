using System.CommandLine;
using System.Globalization;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Cli.Commands;

/// <summary><c>numo keygen [--add-to FILE]</c>: prints a new key file (or one with a key added, for rotation).</summary>
internal static class KeygenCommand
{
    public static Command Create()
    {
        var addTo = new Option<FileInfo?>("--add-to") { Description = "An existing key file: print it with a new current key added (rotation; old keys are kept until you delete them)." };
        var activateAt = new Option<string?>("--activate-at") { Description = "With --add-to: the time (ISO 8601) the new key becomes current on every node (rotation with overlap). Default: at once." };
        var command = new Command("keygen", "Print a new pseudonymisation key file: {\"currentKeyId\":N,\"keys\":{\"N\":\"base64\"}}.") { addTo, activateAt };
        command.SetAction(parse =>
        {
            var existing = parse.GetValue(addTo);
            DateTimeOffset? when = parse.GetValue(activateAt) is { } text
                ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
                : null;
            Console.Out.Write(KeyFile.Generate(existing is null ? null : KeyFile.Read(existing.FullName), when));
            return 0;
        });
        return command;
    }
}
