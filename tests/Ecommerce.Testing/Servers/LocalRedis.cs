using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ecommerce.Testing.Servers;

/// <summary><c>redis-server</c> as a foreground child process on a 127.0.0.1 port, its files under one folder.</summary>
public sealed class LocalRedis : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private LocalRedis(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }
    public int Pid => _process.Pid;
    public Task<int> Exited => _process.Exited;
    public string ConnectionString => $"127.0.0.1:{Port}";

    public const string MissingBinaryMessage =
        "redis-server was not found on PATH. Install it (apt-get install -y redis-server), " +
        "give a server with ConnectionStrings__redis, or start a Docker engine.";

    public static string? FindBinary() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(dir => Path.Combine(dir, "redis-server"))
            .FirstOrDefault(File.Exists);

    /// <param name="durable">AOF with fsync every second for the platform; nothing on disk for tests.</param>
    public static async Task<LocalRedis> StartAsync(string root, int port, bool durable, Action<string> onLine,
        CancellationToken cancellationToken, int databases = 16)
    {
        var binary = FindBinary() ?? throw new InvalidOperationException(MissingBinaryMessage);
        Directory.CreateDirectory(root);
        var pidFile = Path.Combine(root, "redis.pid");
        await StopStaleServerAsync(pidFile, onLine);

        List<string> arguments =
        [
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", root,
            "--daemonize", "no", "--pidfile", pidFile, "--logfile", "",
            "--databases", databases.ToString(CultureInfo.InvariantCulture),
        ];
        arguments.AddRange(durable
            ? ["--appendonly", "yes", "--appendfsync", "everysec"]
            : ["--appendonly", "no", "--save", ""]);

        var process = ChildProcess.Start(binary, arguments, onLine, workingDirectory: root);
        var server = new LocalRedis(process, port);
        try
        {
            await server.WaitUntilReadyAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!await PingAsync(Port, cancellationToken))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {await _process.Exited} while starting (see its log lines above).");
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"redis-server did not answer PING on port {Port} within 30 s.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    public static async Task<bool> PingAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task StopStaleServerAsync(string pidFile, Action<string> onLine)
    {
        if (!File.Exists(pidFile)
            || !int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)
            || !Posix.IsAlive(pid)
            || !File.ReadAllText($"/proc/{pid}/comm").StartsWith("redis", StringComparison.Ordinal))
        {
            return;
        }

        onLine($"stopping a redis-server (pid {pid}) left running by an earlier run");
        Posix.Signal(pid, Posix.SIGTERM);
        for (var i = 0; i < 100 && Posix.IsAlive(pid); i++)
        {
            await Task.Delay(100);
        }
    }

    /// <summary>SIGTERM: Redis flushes its AOF and exits.</summary>
    public Task StopAsync() => _process.StopAsync(Posix.SIGTERM, TimeSpan.FromSeconds(15));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _process.DisposeAsync();
    }
}
