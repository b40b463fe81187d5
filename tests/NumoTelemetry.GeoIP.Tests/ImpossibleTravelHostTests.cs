using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.GeoIP.Tests;

/// <summary>
/// Impossible travel end to end on a real Kestrel on 127.0.0.1 with GeoIP on MaxMind's official test databases: the client address
/// comes from <c>X-Forwarded-For</c> through the trusted loopback proxy, logins from <c>NumoSignals().LoginSucceeded</c>.
/// 2.125.160.220 is Boxford GB, 81.2.69.142 London GB (≈ 80 km away), 175.16.199.37 Changchun CN (≈ 8,100 km away).
/// </summary>
public sealed class ImpossibleTravelHostTests
{
    private sealed class CollectingSink : IAlertSink
    {
        public ConcurrentQueue<FraudAlert> Alerts { get; } = new();

        public void Publish(FraudAlert alert) => Alerts.Enqueue(alert);
    }

    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(string maxMind, CollectingSink sink)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddNumoTelemetry(o =>
        {
            o.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
            o.RequestLog.FileEnabled = false;
            o.Pipeline.PollInterval = TimeSpan.FromMilliseconds(10);
            o.Alerts.GroupWait = TimeSpan.Zero;
        }).AddGeoIP(o =>
        {
            o.DatabaseDirectory = maxMind;
            o.WatchForChanges = false;
        });
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertSink>(sink));
        var app = builder.Build();
        app.UseNumoTelemetry();
        app.MapPost("/login", (HttpContext context, string user) =>
        {
            context.NumoSignals().LoginSucceeded(user);
            return Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new HttpClient { BaseAddress = new Uri(address) });
    }

    private static async Task LoginAsync(HttpClient client, string user, string clientAddress)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/login?user={Uri.EscapeDataString(user)}", UriKind.Relative));
        request.Headers.Add("X-Forwarded-For", clientAddress);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [SkippableFact]
    public async Task Logins_BoxfordThenChangchun_OneImpossibleTravelAlertOnTheAccountAndNoneForANearbyCity()
    {
        var maxMind = TestData.RequireMaxMind();
        var sink = new CollectingSink();
        var (app, client) = await StartAsync(maxMind, sink);
        await using var _ = app;
        using var __ = client;

        // First a commuter (two cities ≈ 80 km apart, within both accuracy radii), then the hijacked account: the commuter's logins are
        // processed no later than the hijacked account's, so once that alert is out, an alert on the commuter would be too.
        await LoginAsync(client, "commuter@example.com", "2.125.160.220");
        await LoginAsync(client, "commuter@example.com", "81.2.69.142");
        await LoginAsync(client, "hijacked@example.com", "2.125.160.220");
        await LoginAsync(client, "hijacked@example.com", "175.16.199.37");

        for (var attempt = 0; attempt < 400 && !sink.Alerts.Any(a => a.Rule == ReasonCodes.ImpossibleTravel); attempt++)
        {
            await Task.Delay(25);
        }

        var pseudonymizer = app.Services.GetRequiredService<Pseudonymizer>();
        var hijacked = pseudonymizer.Pseudonymize(PseudonymKind.User, "hijacked@example.com", DateTimeOffset.UtcNow).ToString();
        var alert = Assert.Single(sink.Alerts, a => a.Rule == ReasonCodes.ImpossibleTravel);
        Assert.Equal("user", alert.SubjectKind);
        Assert.Equal(hijacked, alert.Subject);
        var evidence = alert.Evidence.ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal("GB", evidence["previousCountry"]);
        Assert.Equal("CN", evidence["country"]);
        foreach (var raw in new[] { "hijacked", "175.16.199.37", "2.125.160.220", "Changchun", "Boxford" })
        {
            Assert.DoesNotContain(raw, alert.ToJson(), StringComparison.Ordinal); // a pseudonym and two countries, no address or city
        }

        Assert.DoesNotContain(sink.Alerts, a => a.Subject == pseudonymizer.Pseudonymize(PseudonymKind.User, "commuter@example.com", DateTimeOffset.UtcNow).ToString());
    }
}
