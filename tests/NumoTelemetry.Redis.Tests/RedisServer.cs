using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NumoTelemetry.Redis.Tests;

/// <summary>
/// A real <c>redis-server</c> on 127.0.0.1 and a free port, no persistence, in a temp directory; killed and restarted on the
/// same port by fault tests; stopped on dispose. <see cref="Path"/> is <see langword="null"/> when redis-server is not installed.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly string _directory;
    private Process? _process;

    public RedisServer()
    {
        Path = Find();
        Port = FreePort();
        _directory = Directory.CreateTempSubdirectory("numo-redis-").FullName;
        if (Path is not null)
        {
            Start();
        }
    }

    /// <summary>Why tests that need the server are skipped, naming the missing tool.</summary>
    public const string MissingMessage = "redis-server is not installed (apt-get install -y redis-server; .ci/run installs it): Redis tests skipped.";

    public string? Path { get; }

    public bool Available => Path is not null;

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    public void Start()
    {
        if (Path is null || IsRunning)
        {
            return;
        }

        var info = new ProcessStartInfo(Path)
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory, "--protected-mode", "yes" })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info)!;
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException("redis-server exited at start (port taken?).");
                }

                Thread.Sleep(20);
            }
        }

        throw new InvalidOperationException("redis-server did not listen within 10 s.");
    }

    /// <summary>Kills the process (no shutdown: as a crash).</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit(5000);
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Kill();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string? Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(System.IO.Path.PathSeparator).Append("/usr/bin").Append("/usr/sbin"))
        {
            var candidate = System.IO.Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
