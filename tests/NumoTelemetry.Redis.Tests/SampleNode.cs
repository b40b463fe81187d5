using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace NumoTelemetry.Redis.Tests;

/// <summary>
/// One host of the sample app (<c>samples/NumoTelemetry.Sample</c>, built with this test project) in its own process: real
/// Kestrel on 127.0.0.1 and a free port, configured through environment variables, data in a temp folder.
/// </summary>
internal sealed class SampleNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly string _directory;

    private SampleNode(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Client = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture)), Timeout = TimeSpan.FromSeconds(10) };
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public HttpClient Client { get; }

    /// <summary>The last lines the process wrote (for failure messages).</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>The built sample (same configuration as this test assembly), or <see langword="null"/>.</summary>
    public static string? SampleDll { get; } = BuiltOutput.Find(Path.Combine("samples", "NumoTelemetry.Sample"), "NumoTelemetry.Sample.dll");

    public static async Task<SampleNode> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var port = RedisServer.FreePort();
        var directory = Directory.CreateTempSubdirectory("numo-sample-").FullName;
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(SampleDll)!, // content root: the sample's appsettings.json
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(SampleDll!);
        var env = info.Environment;
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["DOTNET_gcServer"] = "0";
        env["Kestrel__Endpoints__Http__Url"] = "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
        env["Logging__LogLevel__Default"] = "Warning";
        env["Logging__LogLevel__NumoTelemetry.RequestLog"] = "Warning";
        env["Sample__AnalystPassword"] = "test-" + Guid.NewGuid().ToString("N");
        env["NumoTelemetry__RequestLog__Directory"] = Path.Combine(directory, "request-log");
        env["NumoTelemetry__GeoIP__DatabaseDirectory"] = Path.Combine(directory, "geoip");
        env["NumoTelemetry__Dashboard__DatabasePath"] = Path.Combine(directory, "dashboard.db");
        foreach (var (name, value) in settings)
        {
            env[name.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var node = new SampleNode(Process.Start(info)!, directory, port);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var response = await node.Client.GetAsync("/about");
                if (response.IsSuccessStatusCode)
                {
                    return node;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (node._process.HasExited || DateTime.UtcNow > deadline)
            {
                var output = node.Output;
                await node.DisposeAsync();
                throw new InvalidOperationException("The sample did not start:" + Environment.NewLine + output);
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A failed login through the sample's form (X-Forwarded-For from loopback, a trusted proxy in its appsettings).</summary>
    public async Task<int> FailedLoginAsync(string clientIp, string user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent([new("username", user), new("password", "wrong")]),
        };
        request.Headers.Add("X-Forwarded-For", clientIp);
        using var response = await Client.SendAsync(request);
        return (int)response.StatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
        {
        }
    }
}
