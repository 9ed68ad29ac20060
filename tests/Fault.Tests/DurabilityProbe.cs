using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Fault.Tests;

/// <summary>
/// Measures how much of a cart Redis loses when it is killed (its AOF window): one writer sets a cart line's quantity
/// to the next value of a cycle (1..99) as fast as the platform answers, right up to the kill. After the restart the
/// stored quantity names the last write that survived; every write answered 2xx after it was lost, and the window is
/// how long before the kill that surviving write was answered.
/// </summary>
public sealed class DurabilityProbe : IAsyncDisposable
{
    private const int Cycle = 99; // Cart:MaxQuantity — 99 distinct values, about 3 s of writes at this rate
    private readonly FaultPlatform _platform;
    private readonly Guid _customer = Guid.CreateVersion7();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(int Seq, int Value, TimeSpan AnsweredAt, int Status)> _writes = [];
    private readonly string _sku;
    private string _cart = "";
    private Task _loop = Task.CompletedTask;
    private TimeSpan _killedAt = TimeSpan.MaxValue;

    private DurabilityProbe(FaultPlatform platform, string sku) => (_platform, _sku) = (platform, sku);

    public static async Task<DurabilityProbe> StartAsync(FaultPlatform platform, string sku, CancellationToken ct)
    {
        var probe = new DurabilityProbe(platform, sku);
        using var client = platform.CreateClient(TestTokens.Customer(probe._customer));
        using var created = await client.PostAsync("/api/carts", null, ct);
        Assert.True(created.IsSuccessStatusCode, $"probe cart: {(int)created.StatusCode}");
        probe._cart = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
        using var added = await client.PostAsJsonAsync($"/api/carts/{probe._cart}/items", new { sku, quantity = 1 }, ct);
        Assert.True(added.IsSuccessStatusCode, $"probe line: {(int)added.StatusCode} {await added.Content.ReadAsStringAsync(ct)}");
        probe._loop = Task.Run(probe.WriteAsync, CancellationToken.None);
        return probe;
    }

    /// <summary>Called right before the SIGKILL: acknowledged writes answered before this instant were promised.</summary>
    public void MarkKill() => _killedAt = _clock.Elapsed;

    private async Task WriteAsync()
    {
        using var client = _platform.CreateClient(TestTokens.Customer(_customer), TimeSpan.FromSeconds(5));
        for (var seq = 1; !_stop.IsCancellationRequested && seq < 100_000; seq++)
        {
            var value = seq % Cycle + 1;
            int status;
            try
            {
                using var response = await client.PutAsJsonAsync($"/api/carts/{_cart}/items/{_sku}", new { quantity = value }, _stop.Token);
                status = (int)response.StatusCode;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                status = 0;
            }

            lock (_writes)
            {
                _writes.Add((seq, value, _clock.Elapsed, status));
            }

            if (status is not (>= 200 and < 300))
            {
                await Task.Delay(50, CancellationToken.None); // Redis is down: do not spin
            }
        }
    }

    /// <summary>Stops writing, reads the cart back (polling while Redis loads its file) and says what was lost.</summary>
    public async Task<(int Acknowledged, int Lost, double WindowSeconds, string Line)> MeasureAsync(CancellationToken ct)
    {
        await _stop.CancelAsync();
        await _loop;
        using var client = _platform.CreateClient(TestTokens.Customer(_customer));
        int? stored = null;
        await Poll.UntilAsync(async () =>
        {
            using var response = await client.GetAsync($"/api/carts/{_cart}/lines", ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                stored = 0; // the whole cart is gone
                return true;
            }

            if (!response.IsSuccessStatusCode) return false;
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            var lines = body.ValueKind == JsonValueKind.Array ? body : body.GetProperty("lines");
            stored = lines.EnumerateArray().Where(l => l.GetProperty("sku").GetString() == _sku).Select(l => l.GetProperty("quantity").GetInt32()).FirstOrDefault();
            return true;
        }, TimeSpan.FromSeconds(30), "the probe cart to be readable after the restart");

        List<(int Seq, int Value, TimeSpan AnsweredAt, int Status)> writes;
        lock (_writes)
        {
            writes = [.. _writes];
        }

        var beforeKill = writes.Where(w => w.AnsweredAt < _killedAt).ToList();
        var acknowledged = beforeKill.Where(w => w.Status is >= 200 and < 300).ToList();
        // The surviving write: the newest write that carries the stored value (values repeat every 99 writes, and after the
        // kill no write lands until Redis is back, so the newest is the one). It may have been answered just after the
        // mark, while the signal was on its way.
        var survivor = writes.LastOrDefault(w => w.Value == stored && w.Status is >= 200 and < 300 or 0 or >= 500);
        var lost = acknowledged.Where(w => w.Seq > (survivor.Seq == 0 ? int.MaxValue : survivor.Seq)).ToList();
        if (stored == 0) lost = acknowledged;
        var window = lost.Count == 0 ? 0 : (_killedAt - (survivor.Seq == 0 ? lost[0].AnsweredAt : survivor.AnsweredAt)).TotalSeconds;
        var lastAck = acknowledged.Count == 0 ? double.NaN : (_killedAt - acknowledged[^1].AnsweredAt).TotalMilliseconds;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"Redis AOF window (appendfsync everysec): {acknowledged.Count} cart writes answered 2xx before the SIGKILL, the last {lastAck:0} ms before it; " +
            $"{lost.Count} of them lost, a window of {window:0.000} s (stored quantity {stored}, write #{survivor.Seq} survived)");
        return (acknowledged.Count, lost.Count, window, line);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
