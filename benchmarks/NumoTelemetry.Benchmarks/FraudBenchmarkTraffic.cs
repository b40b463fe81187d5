using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// Browsing traffic for the fraud engine benchmarks: batches of records from a number of clients (each its own address,
/// session and visitor; one of a number of browsers and pages; 1 in 20 requests a login, 1 in 10 of those failed), and a
/// fraud processor over a given store, fed every batch once so that the measurement starts with every client held.
/// </summary>
internal static class FraudBenchmarkTraffic
{
    public static RequestRecord[][] Batches(
        NumoTelemetryOptions options, int batches, int batchSize, int clients, int browsers, int pages, TimeSpan step, Func<int, string> address, Func<int, GeoFacts?> geo)
    {
        using var pseudonymizer = new Pseudonymizer(KeyRing.FromOptions(options.Pseudonymization), options.Pseudonymization);
        var random = new Random(1);
        var at = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        var result = new RequestRecord[batches][];
        for (var b = 0; b < batches; b++)
        {
            var batch = result[b] = new RequestRecord[batchSize];
            for (var i = 0; i < batchSize; i++)
            {
                at += step;
                var client = random.Next(clients);
                var ip = address(client);
                var record = new RequestRecord
                {
                    Timestamp = at,
                    StatusCode = 200,
                    Ip = pseudonymizer.Pseudonymize(PseudonymKind.Ip, ip, at),
                    IpPrefix = pseudonymizer.Pseudonymize(PseudonymKind.IpPrefix, ip, at),
                    Session = pseudonymizer.Pseudonymize(PseudonymKind.Session, $"s{client}", at),
                    Visitor = pseudonymizer.Pseudonymize(PseudonymKind.Visitor, $"v{client}", at),
                    HasVisitorCookie = true,
                    UserAgentId = pseudonymizer.Pseudonymize(PseudonymKind.UserAgent, $"ua{client % browsers}", at),
                    Path = pseudonymizer.Pseudonymize(PseudonymKind.Path, $"/p/{random.Next(pages)}", at),
                    Geo = geo(client),
                };
                if (random.Next(20) == 0)
                {
                    record.AddSignal(new AppSignal(random.Next(10) == 0 ? SignalKind.LoginFailed : SignalKind.LoginSucceeded, pseudonymizer.Pseudonymize(PseudonymKind.User, $"u{client}", at), default, null));
                }

                batch[i] = record;
            }
        }

        return result;
    }

    public static FraudProcessor Processor(NumoTelemetryOptions options, IFraudStateStore store, RequestRecord[][] batches)
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var processor = new FraudProcessor(
            Options.Create(options),
            store,
            new RiskCache(options.Fraud.RiskCacheSize, options.Fraud.ScoreHalfLife),
            Array.Empty<IAlertSink>(),
            new FraudMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            NullLoggerFactory.Instance,
            TimeProvider.System);
        foreach (var batch in batches)
        {
            processor.ProcessAsync(batch, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        return processor;
    }
}
