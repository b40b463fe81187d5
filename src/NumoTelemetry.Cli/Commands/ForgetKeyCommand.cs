using System.CommandLine;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NumoTelemetry.Redis;

namespace NumoTelemetry.Cli.Commands;

/// <summary>
/// <c>numo forget-key --redis CONFIG --key-id N [--key-prefix P]</c>: erases the fleet's fraud state made under a destroyed
/// pseudonymisation key now (SCAN and UNLINK, never KEYS), instead of waiting for its TTLs. Run it once after removing a key from
/// every node's ring; state under other keys and per-ASN state stay.
/// </summary>
internal static class ForgetKeyCommand
{
    public static Command Create()
    {
        var redis = new Option<string>("--redis") { Description = "The StackExchange.Redis configuration string of the fleet's Redis (NumoTelemetry:Redis:Configuration).", Required = true };
        var keyId = new Option<ushort>("--key-id") { Description = "The id of the destroyed pseudonymisation key (the N of k{N}. in pseudonyms).", Required = true };
        var prefix = new Option<string>("--key-prefix") { Description = "NumoTelemetry:Redis:KeyPrefix, if not the default numo:fraud.", DefaultValueFactory = static _ => new RedisOptions().KeyPrefix };
        var command = new Command("forget-key", "Erase the fleet's fraud state in Redis made under one pseudonymisation key (after the key was removed from the ring).") { redis, keyId, prefix };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new RedisOptions { Configuration = parse.GetValue(redis), KeyPrefix = parse.GetValue(prefix)! };
            var failures = new RedisOptionsValidator().Validate(null, options);
            if (failures.Failed)
            {
                await Console.Error.WriteLineAsync(failures.FailureMessage);
                return 2;
            }

            var id = parse.GetValue(keyId);
            var wrapped = Options.Create(options);
            using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
            await using var connection = new RedisConnection(wrapped);
            var store = new RedisFraudStateStore(connection, wrapped, Options.Create(new NumoTelemetryOptions()), new RedisMetrics(services.GetRequiredService<IMeterFactory>()), NullLogger<RedisFraudStateStore>.Instance, TimeProvider.System);
            try
            {
                var erased = await store.ForgetKeyCoreAsync(id, cancellationToken);
                await Console.Out.WriteLineAsync($"Erased {erased} keys of pseudonymisation key {id} under {options.KeyPrefix}.");
                return 0;
            }
            catch (InvalidOperationException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return 1;
            }
        });
        return command;
    }
}
