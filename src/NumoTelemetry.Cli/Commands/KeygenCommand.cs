using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Cli.Commands;

/// <summary><c>numo keygen [--add-to FILE] [--activate-at TIME]</c>: prints a new key file (or one with a key added, for rotation).</summary>
internal static class KeygenCommand
{
    public static Command Create()
    {
        var addTo = new Option<FileInfo?>("--add-to") { Description = "An existing key file: print it with a new current key added (rotation; old keys are kept until you delete them)." };
        var activateAt = new Option<string?>("--activate-at") { Description = "With --add-to: the time (ISO 8601) the new key becomes current on every node (rotation with overlap). Default: at once." };
        var command = new Command("keygen", "Print a new pseudonymisation key file: {\"currentKeyId\":N,\"keys\":{\"N\":\"base64\"}}.") { addTo, activateAt };
        command.SetAction(parse => Run(parse.GetValue(addTo), parse.GetValue(activateAt), Console.Out, Console.Error));
        return command;
    }

    internal static int Run(FileInfo? addTo, string? activateAt, TextWriter stdout, TextWriter stderr)
    {
        DateTimeOffset? when = null;
        if (activateAt is not null)
        {
            if (!DateTimeOffset.TryParse(activateAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                stderr.WriteLine($"numo keygen: --activate-at {activateAt} is not an ISO 8601 time.");
                return 2;
            }

            when = parsed;
        }

        KeyFile? existing = null;
        if (addTo is not null)
        {
            try
            {
                existing = KeyFile.Read(addTo.FullName);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or FormatException)
            {
                stderr.WriteLine($"numo keygen: cannot read --add-to {addTo.FullName}: {ex.Message}");
                return 2;
            }
        }

        stdout.Write(KeyFile.Generate(existing, when));
        return 0;
    }
}
