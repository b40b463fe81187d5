using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NumoTelemetry.Dashboard.Tests.Infrastructure;

/// <summary>
/// The sample site as users run it: its own process on a real Kestrel bound to 127.0.0.1 on a free port, with a
/// fresh content root (appsettings.json copied in, SQLite store created there) and, as in production, a configured key
/// (the sample generates a development key only in the Development environment).
/// </summary>
public sealed class SampleServer : IAsyncLifetime
{
    public const string Password = "test-analyst-password";

    /// <summary>The fraud investigators' password (<c>Sample:InvestigatorPassword</c>).</summary>
    public const string InvestigatorPassword = "test-investigator-password";

    /// <summary>The bearer token a remote Prometheus presents for <c>/metrics</c> (<c>Sample:MetricsToken</c>).</summary>
    public const string MetricsToken = "test-metrics-scrape-token";

    private readonly StringBuilder _output = new();
    private Process? _process;
    private TempDirectory? _root;

    public Uri BaseAddress { get; private set; } = null!;

    public string ContentRoot => _root!.Path;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        _root = new TempDirectory();
        var bin = AppContext.BaseDirectory;
        File.Copy(Path.Combine(bin, "appsettings.json"), Path.Combine(_root.Path, "appsettings.json"));
        var port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _root.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            Path.Combine(bin, "NumoTelemetry.Sample.dll"),
            "--contentRoot", _root.Path,
            $"--Kestrel:Endpoints:Http:Url={BaseAddress.ToString().TrimEnd('/')}",
            $"--Sample:AnalystPassword={Password}",
            $"--Sample:MetricsToken={MetricsToken}",
            $"--Sample:InvestigatorPassword={InvestigatorPassword}",
            "--NumoTelemetry:Alerts:GroupWait=00:00:00",
            $"--NumoTelemetry:Pseudonymization:Keys:1={NumoTelemetry.Pseudonymization.KeyRing.GenerateKey()}",
            "--NumoTelemetry:Dashboard:WriteInterval=00:00:01",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:NumoTelemetry.RequestLog=Warning",
        })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the sample.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("The sample exited at start:\n" + Output);
            }

            try
            {
                using var response = await client.GetAsync(new Uri(BaseAddress, "/metrics")); // not counted by the dashboard
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The sample did not answer within 60 seconds:\n" + Output);
    }

    /// <summary>A client signed in as the analyst (cookie), not following redirects.</summary>
    public Task<HttpClient> SignedInClientAsync() => SignedInClientAsync(Password);

    /// <summary>A client signed in with <paramref name="password"/> (the analyst's or the investigator's), not following redirects.</summary>
    public async Task<HttpClient> SignedInClientAsync(string password)
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseProxy = false };
        var client = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(90) };
        using var form = new FormUrlEncodedContent([new("password", password), new("returnUrl", "/numo/")]);
        using var response = await client.PostAsync("/analyst/login", form);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            client.Dispose();
            throw new InvalidOperationException($"Sign-in failed: {(int)response.StatusCode}.");
        }

        return client;
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _root?.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 200_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
