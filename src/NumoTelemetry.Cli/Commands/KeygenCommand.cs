using System.CommandLine;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Cli.Commands;

/// <summary><c>numo keygen [--add-to FILE]</c>: prints a new key file (or one with a key added, for rotation).</summary>
internal static class KeygenCommand
{
    public static Command Create()
    {
        var addTo = new Option<FileInfo?>("--add-to") { Description = "An existing key file: print it with a new current key added (rotation; old keys are kept until you delete them)." };
        var command = new Command("keygen", "Print a new pseudonymisation key file: {\"currentKeyId\":N,\"keys\":{\"N\":\"base64\"}}.") { addTo };
        command.SetAction(parse =>
        {
            var existing = parse.GetValue(addTo);
            Console.Out.Write(KeyFile.Generate(existing is null ? null : KeyFile.Read(existing.FullName)));
            return 0;
        });
        return command;
    }
}
