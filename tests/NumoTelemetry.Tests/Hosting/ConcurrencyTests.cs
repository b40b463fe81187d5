using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Hosting;

/// <summary>
/// Request state is pooled and finished on the pipeline's thread: under concurrent requests on a real Kestrel, each record
/// must carry its own request's values, none lost, none mixed.
/// </summary>
public class ConcurrencyTests
{
    private const int Workers = 8;
    private const int PerWorker = 150;

    [Fact]
    public async Task ConcurrentRequests_EachRecordCarriesItsOwnRequestsValues()
    {
        await using var site = await TestSite.StartAsync(
            map: app => app.MapGet("/who/{n:int}", async (HttpContext context, int n) =>
            {
                if (n % 3 == 0)
                {
                    await Task.Yield(); // finish on another thread
                }

                if (n % 5 == 0)
                {
                    _ = context.GetNumoRisk(); // captured on the request thread
                }

                context.NumoSignals().Identify("user-" + n);
                return "ok";
            }),
            addOns: numo => numo.AddProcessor<CollectingProcessor>());

        var tasks = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < PerWorker; i++)
            {
                var n = (w * PerWorker) + i;
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/who/{n}");
                request.Headers.Add("X-Forwarded-For", Address(n));
                request.Headers.Add("Cookie", $".AspNetCore.Session=sess-{n}");
                request.Headers.UserAgent.ParseAdd($"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{100 + (n % 30)}.0.0.0 Safari/537.36");
                using var response = await site.Client.SendAsync(request);
                response.EnsureSuccessStatusCode();
            }
        }));
        await Task.WhenAll(tasks);
        await site.WaitForRecordsAsync(Workers * PerWorker);

        var records = site.App.Services.GetServices<IRequestRecordProcessor>().OfType<CollectingProcessor>().Single().Records;
        var p = site.App.Services.GetRequiredService<Pseudonymizer>();
        var seen = new HashSet<int>();
        foreach (var record in records.Where(r => r.Route == "/who/{n:int}"))
        {
            var user = Assert.Single(record.Signals.ToArray()).User;
            var n = Enumerable.Range(0, Workers * PerWorker).Single(k => p.Pseudonymize(PseudonymKind.User, "user-" + k, record.Timestamp) == user);
            Assert.True(seen.Add(n), $"request {n} recorded twice");
            Assert.Equal(p.Pseudonymize(PseudonymKind.Ip, Address(n), record.Timestamp), record.Ip);
            Assert.Equal(p.Pseudonymize(PseudonymKind.Session, "sess-" + n, record.Timestamp), record.Session);
            Assert.Equal((100 + (n % 30)).ToString(System.Globalization.CultureInfo.InvariantCulture), record.UserAgent.Browser.Major);
        }

        Assert.Equal(Workers * PerWorker, seen.Count);
    }

    private static string Address(int n) => $"198.51.{100 + (n / 250)}.{n % 250}";

    private sealed class CollectingProcessor : IRequestRecordProcessor
    {
        private readonly ConcurrentQueue<RequestRecord> _records = new();

        public IReadOnlyCollection<RequestRecord> Records => _records;

        public ValueTask ProcessAsync(ReadOnlyMemory<RequestRecord> batch, CancellationToken cancellationToken)
        {
            foreach (var record in batch.Span)
            {
                _records.Enqueue(record);
            }

            return ValueTask.CompletedTask;
        }
    }
}
