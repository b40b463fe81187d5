using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NumoTelemetry.Redis.Tests;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a redis-server that, while <see cref="StallScripts"/> is on, stops forwarding a
/// connection's commands from the first <c>SCRIPT</c> command on (the server is reachable, the handshake succeeds, and
/// <c>SCRIPT LOAD</c> times out, as with a server that is busy at boot). <see cref="Heal"/> turns it off and drops the stalled
/// connections so the client reconnects.
/// </summary>
internal sealed class StallingProxy : IAsyncDisposable
{
    private static readonly byte[] ScriptCommand = Encoding.ASCII.GetBytes("\r\nSCRIPT\r\n");
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<TcpClient, bool> _clients = new();
    private readonly Task _accepting;

    public StallingProxy(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public volatile bool StallScripts = true;

    /// <summary>Connections that stalled on a SCRIPT command.</summary>
    public int Stalled;

    public string Configuration => "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public void Heal()
    {
        StallScripts = false;
        foreach (var client in _clients.Keys)
        {
            client.Dispose();
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var server = new TcpClient();
        _clients[client] = true;
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
            var up = PumpAsync(client.GetStream(), server.GetStream(), inspect: true);
            var down = PumpAsync(server.GetStream(), client.GetStream(), inspect: false);
            await Task.WhenAny(up, down);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            _clients.TryRemove(client, out _);
            client.Dispose();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool inspect)
    {
        var buffer = new byte[16 * 1024];
        var stalled = false;
        try
        {
            while (true)
            {
                var n = await from.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    return;
                }

                if (inspect && !stalled && StallScripts && buffer.AsSpan(0, n).IndexOf(ScriptCommand) >= 0)
                {
                    stalled = true;
                    Interlocked.Increment(ref Stalled);
                }

                if (!stalled)
                {
                    await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var client in _clients.Keys)
        {
            client.Dispose();
        }

        await _accepting;
        _stop.Dispose();
    }
}
