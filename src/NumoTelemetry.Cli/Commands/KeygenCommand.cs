using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Cli.Commands;

/// <summary>
/// <c>numo keygen [--out FILE [--force]] [--add-to FILE] [--activate-at TIME]</c>: writes a new key file (or one with a key added, for
/// rotation) to <c>--out</c>, created readable by its owner only (0600) and renamed into place whole, or prints it. Secrets are written
/// as plain base64, so each can be pasted as is into an environment variable or a secret store.
/// </summary>
internal static class KeygenCommand
{
    public static Command Create()
    {
        var output = new Option<FileInfo?>("--out") { Description = "Write the key file here, readable by its owner only (mode 0600), instead of printing it. An existing file is kept unless --force (or it is the --add-to file)." };
        var force = new Option<bool>("--force") { Description = "With --out: replace an existing file (its old keys are lost unless --add-to kept them)." };
        var addTo = new Option<FileInfo?>("--add-to") { Description = "An existing key file: write it with a new current key added (rotation; old keys are kept until you delete them). With --out the same file, it is updated in place." };
        var activateAt = new Option<string?>("--activate-at") { Description = "With --add-to: the time (ISO 8601) the new key becomes current on every node (rotation with overlap). Default: at once." };
        var command = new Command("keygen", "Write a new pseudonymisation key file {\"currentKeyId\":N,\"keys\":{\"N\":\"base64\"}} to --out (mode 0600), or print it.") { output, force, addTo, activateAt };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(output);
            if (file is null && Console.IsOutputRedirected)
            {
                // `numo keygen > keys.json` makes a file others may read (the shell creates it with the umask, often 0644).
                Console.Error.WriteLine("numo keygen: printing the key file; to create one readable by its owner only, use --out FILE.");
            }

            return Run(parse.GetValue(addTo), parse.GetValue(activateAt), file, parse.GetValue(force), Console.Out, Console.Error);
        });
        return command;
    }

    // Long because: each argument check ends the command with its own message and exit code, in order.
    internal static int Run(FileInfo? addTo, string? activateAt, FileInfo? output, bool force, TextWriter stdout, TextWriter stderr)
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

        // Updating the --add-to file in place is what rotation means: no --force needed for it.
        var inPlace = output is not null && addTo is not null && string.Equals(output.FullName, addTo.FullName, StringComparison.Ordinal);
        if (output is not null && !force && !inPlace && output.Exists)
        {
            stderr.WriteLine($"numo keygen: --out {output.FullName} already exists; it was left as it is. Use --force to replace it (its keys are lost unless --add-to keeps them).");
            return 2;
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

        string text;
        try
        {
            text = KeyFile.Generate(existing, when);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException)
        {
            stderr.WriteLine($"numo keygen: cannot add a key to --add-to {addTo?.FullName}: {ex.Message}");
            return 2;
        }

        if (output is null)
        {
            stdout.Write(text);
            return 0;
        }

        try
        {
            KeyFile.Write(output.FullName, text, overwrite: force || inPlace);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"numo keygen: cannot write --out {output.FullName}: {ex.Message}");
            return 2;
        }

        stderr.WriteLine(OperatingSystem.IsWindows()
            ? $"numo keygen: wrote {output.FullName}. Keep it out of source control."
            : $"numo keygen: wrote {output.FullName} (mode 0600: readable by its owner only). Keep it out of source control.");
        return 0;
    }
}
