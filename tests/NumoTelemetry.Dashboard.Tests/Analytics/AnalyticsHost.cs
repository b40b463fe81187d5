using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Dashboard.Tests.Analytics;

/// <summary>
/// A site on a real Kestrel (127.0.0.1) with NumoTelemetry's middleware, the dashboard (goals and a funnel configured)
/// and a seeded day of traffic sent over HTTP: 20 cookieless visitors (one User-Agent each).
/// </summary>
/// <remarks>
/// Every visitor enters at <c>/pricing</c>; visitors 0–11 sign up (POST, a sign-up signal), 0–6 also raise the custom
/// event <c>download</c> and 7 an event named with an e-mail address; 0–5 reach <c>/checkout/done</c>; 6–15 view
/// <c>/products/4711</c> (10 people) and 16–18 <c>/products/999</c> (3 people, fewer than k = 5).
/// </remarks>
internal sealed class AnalyticsHost : IAsyncDisposable
{
    public const int Visitors = 20;

    private readonly string _root;

    private AnalyticsHost(WebApplication app, string root, HttpClient client)
    {
        App = app;
        _root = root;
        Client = client;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public string Root => _root;

    public static async Task<AnalyticsHost> StartAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "numo-dash-analytics-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(root);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = root });
        builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddRouting();
        builder.Services.AddNumoTelemetry(o =>
        {
            o.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
            o.Pipeline.PollInterval = TimeSpan.FromMilliseconds(10);
        }).AddDashboard(o =>
        {
            o.AllowAnonymousInDevelopment = true;
            o.Goals.Add(new DashboardGoal { Name = "Signup", Event = "signup" });
            o.Goals.Add(new DashboardGoal { Name = "Checkout", Path = "/checkout/done" });
            o.Goals.Add(new DashboardGoal { Name = "Products", Path = "/products/*" });
            var funnel = new DashboardFunnel { Name = "buy" };
            funnel.Steps.Add("page:/pricing");
            funnel.Steps.Add("event:signup");
            funnel.Steps.Add("goal:Checkout");
            o.Funnels.Add(funnel);
        });
        var app = builder.Build();
        app.UseNumoTelemetry();
        app.MapGet("/pricing", () => "pricing");
        app.MapGet("/checkout/done", () => "thanks");
        app.MapGet("/u/{name}", (string name) => "profile");
        app.MapGet("/products/{id:int}", (int id) => "product " + id.ToString(CultureInfo.InvariantCulture));
        app.MapPost("/signup", (HttpContext context) =>
        {
            context.NumoSignals().SignUp("user");
            var n = int.Parse(context.Request.Query["n"].ToString(), CultureInfo.InvariantCulture);
            if (n <= 6)
            {
                context.NumoSignals().Custom("download");
            }

            if (n == 7)
            {
                context.NumoSignals().Custom("sent to jane.doe@example.com");
            }

            return "welcome";
        });
        app.MapNumoTelemetryDashboard("/numo");
        await app.StartAsync();
        var client = new HttpClient(new HttpClientHandler { UseProxy = false }) { BaseAddress = new Uri(app.Urls.First()) };
        return new AnalyticsHost(app, root, client);
    }

    /// <summary>Sends the day of traffic and waits until the dashboard has written it.</summary>
    public async Task SeedAsync()
    {
        var sent = 0;
        for (var n = 0; n < Visitors; n++)
        {
            var agent = $"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{100 + n}.0.0.0 Safari/537.36";
            await SendAsync(HttpMethod.Get, "/pricing", agent);
            sent++;
            if (n <= 11)
            {
                await SendAsync(HttpMethod.Post, "/signup?n=" + n.ToString(CultureInfo.InvariantCulture), agent);
                sent++;
            }

            if (n is >= 6 and <= 15)
            {
                await SendAsync(HttpMethod.Get, "/products/4711", agent);
                sent++;
            }

            if (n is >= 16 and <= 18)
            {
                await SendAsync(HttpMethod.Get, "/products/999", agent);
                sent++;
            }

            if (n <= 5)
            {
                await SendAsync(HttpMethod.Get, "/checkout/done", agent);
                sent++;
            }
        }

        var pipeline = App.Services.GetRequiredService<PipelineService>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (pipeline.Processed < sent && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(sent, pipeline.Processed);
        await pipeline.FlushAsync(CancellationToken.None);
        await Processor.WritePendingAsync(CancellationToken.None);
    }

    public DashboardProcessor Processor => App.Services.GetServices<IRequestRecordProcessor>().OfType<DashboardProcessor>().Single();

    /// <summary>The store's files as text (the database and its write-ahead log).</summary>
    public async Task<string> StoreFilesAsync()
    {
        var text = new StringBuilder();
        foreach (var file in Directory.GetFiles(Path.Combine(_root, "App_Data")))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            text.Append(Encoding.UTF8.GetString(copy.ToArray()));
        }

        return text.ToString();
    }

    /// <summary>Sends a GET of <paramref name="path"/> from <paramref name="people"/> new visitors and waits until it is written.</summary>
    public async Task SendFromAsync(string path, int people)
    {
        var pipeline = App.Services.GetRequiredService<PipelineService>();
        var before = pipeline.Processed;
        for (var n = 0; n < people; n++)
        {
            await SendAsync(HttpMethod.Get, path, $"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{60 + n}.0.0.0 Safari/537.36");
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (pipeline.Processed < before + people && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await pipeline.FlushAsync(CancellationToken.None);
        await Processor.WritePendingAsync(CancellationToken.None);
    }

    /// <summary>Sends requests (method, path, agent, referrer, language) and waits until the dashboard has written them.</summary>
    public async Task SendAllAsync(IReadOnlyList<(HttpMethod Method, string Path, string Agent, string? Referrer, string? Language)> requests)
    {
        var pipeline = App.Services.GetRequiredService<PipelineService>();
        var before = pipeline.Processed;
        foreach (var (method, path, agent, referrer, language) in requests)
        {
            await SendAsync(method, path, agent, referrer, language);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (pipeline.Processed < before + requests.Count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(before + requests.Count, pipeline.Processed);
        await pipeline.FlushAsync(CancellationToken.None);
        await Processor.WritePendingAsync(CancellationToken.None);
    }

    private async Task SendAsync(HttpMethod method, string path, string agent, string? referrer = null, string? language = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("User-Agent", agent);
        if (referrer is not null)
        {
            request.Headers.TryAddWithoutValidation("Referer", referrer);
        }

        if (language is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", language);
        }

        using var response = await Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
