using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace NumoTelemetry.Dashboard.PostgreSql.Tests;

/// <summary>
/// A real, throwaway PostgreSQL cluster: <c>initdb</c> into a temp directory, <c>postgres</c> on 127.0.0.1 and a free port
/// (no Unix socket, fsync off), a generated superuser password; stopped, restarted on the same port and killed by fault
/// tests; removed on dispose. Run as root, the server runs as the unprivileged <c>postgres</c> user (initdb refuses root).
/// <see cref="Available"/> is false, with <see cref="MissingMessage"/>, when the binaries are not installed.
/// </summary>
public sealed class PostgreSqlServer : IDisposable
{
    /// <summary>Why tests that need the server are skipped, naming the missing tool.</summary>
    public const string MissingMessage = "PostgreSQL server binaries (initdb, postgres) are not installed (apt-get install -y postgresql-15; ./test.sh installs it): PostgreSQL tests skipped.";

    private const string User = "numo";
    private readonly string _directory;
    private readonly string _data;
    private readonly string _password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
    private readonly string? _runAs;
    private Process? _process;

    public PostgreSqlServer()
    {
        BinDirectory = Find();
        Port = FreePort();
        _directory = Directory.CreateTempSubdirectory("numo-pg-").FullName;
        _data = Path.Combine(_directory, "data");
        if (BinDirectory is null || OperatingSystem.IsWindows())
        {
            BinDirectory = null;
            return;
        }

        if (Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root" || IsRoot())
        {
            _runAs = "postgres";

            // The server's user must reach its data directory; it creates the directory itself (mode 0700).
            File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        }

        var passwordFile = Path.Combine(_directory, "pwfile");
        File.WriteAllText(passwordFile, _password + "\n");
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Run(Path.Combine(BinDirectory, "initdb"), "-D", _data, "-U", User, "--pwfile=" + passwordFile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
        File.Delete(passwordFile);
        Start();
    }

    /// <summary>The directory holding initdb and postgres, or <see langword="null"/>.</summary>
    public string? BinDirectory { get; }

    public bool Available => BinDirectory is not null;

    public int Port { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The cluster's data directory (for tests that look at the files).</summary>
    public string DataDirectory => _data;

    /// <summary>A connection string to database <paramref name="database"/> as the cluster's superuser.</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = User,
        Password = _password,
        Database = database,
        Timeout = 3,
        Pooling = true,
    }.ToString();

    /// <summary>Creates a database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = prefix + "_" + Guid.NewGuid().ToString("N")[..10];
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("CREATE DATABASE " + name, connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public void Start()
    {
        if (BinDirectory is null || IsRunning)
        {
            return;
        }

        var info = Info(Path.Combine(BinDirectory, "postgres"), "-D", _data, "-p", Port.ToString(CultureInfo.InvariantCulture), "-h", "127.0.0.1", "-k", string.Empty,
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200", "-c", "shared_buffers=64MB");
        _process = Process.Start(info)!;
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("postgres exited at start (port taken?).");
            }

            try
            {
                using var connection = new NpgsqlConnection(ConnectionString() + ";Pooling=false");
                connection.Open();
                return;
            }
            catch (NpgsqlException)
            {
                Thread.Sleep(50);
            }
        }

        throw new InvalidOperationException("postgres did not accept connections within 30 s.");
    }

    /// <summary>Stops the server (fast shutdown: clients are disconnected) and waits for it to exit.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false } process)
        {
            using var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
            if (!process.WaitForExit(30_000))
            {
                process.Kill();
                process.WaitForExit(5000);
            }
        }

        _process?.Dispose();
        _process = null;
        NpgsqlConnection.ClearAllPools();
    }

    public void Dispose()
    {
        Stop();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private ProcessStartInfo Info(string file, params string[] args)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        if (_runAs is not null)
        {
            info.FileName = "setpriv";
            foreach (var arg in new[] { "--reuid=" + _runAs, "--regid=" + _runAs, "--init-groups", "--reset-env", file })
            {
                info.ArgumentList.Add(arg);
            }
        }
        else
        {
            info.FileName = file;
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    private void Run(string file, params string[] args)
    {
        using var process = Process.Start(Info(file, args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {error}{output.Result}");
        }
    }

    private static bool IsRoot()
    {
        try
        {
            return File.ReadAllText("/proc/self/status").Contains("\nUid:\t0\t", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string? Find()
    {
        var candidates = new List<string>();
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            foreach (var version in Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            {
                candidates.Add(Path.Combine(version, "bin"));
            }
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator));
        foreach (var dir in candidates)
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "postgres")))
            {
                return dir;
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
