namespace Ecommerce.AppHost.Hosting;

/// <summary>
/// Every resource's output, one line at a time, prefixed with its name on the console (coloured when it
/// is a terminal) and kept in full under <c>{state}/logs/{name}.log</c>. The last lines stay in memory
/// so a failure message can show them.
/// </summary>
public sealed class ResourceLogs : IDisposable
{
    private static readonly string[] Colors = ["36", "32", "35", "33", "34", "96", "92", "95", "93", "94"];
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (StreamWriter File, string Color, Queue<string> Tail)> _sinks = [];
    private readonly string _directory;
    private readonly bool _color = !Console.IsOutputRedirected;
    private int _width = 12;

    public ResourceLogs(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
    }

    public Action<string> For(string resource) => line => Write(resource, line);

    public void Write(string resource, string line)
    {
        lock (_gate)
        {
            if (!_sinks.TryGetValue(resource, out var sink))
            {
                var file = new StreamWriter(Path.Combine(_directory, resource + ".log"), append: true) { AutoFlush = true };
                sink = (file, Colors[_sinks.Count % Colors.Length], new Queue<string>());
                _sinks[resource] = sink;
                _width = Math.Max(_width, resource.Length);
            }

            sink.File.WriteLine(line);
            sink.Tail.Enqueue(line);
            if (sink.Tail.Count > 40)
            {
                sink.Tail.Dequeue();
            }

            var prefix = resource.PadRight(_width);
            Console.Out.WriteLine(_color ? $"\u001b[{sink.Color}m{prefix} |\u001b[0m {line}" : $"{prefix} | {line}");
        }
    }

    public IReadOnlyList<string> Tail(string resource, int lines)
    {
        lock (_gate)
        {
            return _sinks.TryGetValue(resource, out var sink) ? sink.Tail.TakeLast(lines).ToList() : [];
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var sink in _sinks.Values)
            {
                sink.File.Dispose();
            }

            _sinks.Clear();
        }
    }
}
