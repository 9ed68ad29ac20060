using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Fault.Tests;

/// <summary>One request of the workload and what came back (status 0: no answer — timeout or transport error).</summary>
public sealed record Sample(TimeSpan At, string Op, int Status, double Milliseconds, bool RetryAfter, bool Problem, string? Error,
    string? Key = null, string? Body = null, Guid? OrderId = null, Guid Customer = default, string? CartId = null);

/// <summary>One answer of a /health endpoint: the gateway's, or a service's own (asked directly, not through the gateway).</summary>
public sealed record HealthSample(TimeSpan At, int Status, string Service = "gateway");

/// <summary>The skus and products the workload shops for, made by an admin before it starts, with their initial stock.</summary>
public sealed record Catalog(IReadOnlyList<(string Sku, Guid ProductId)> Products, int StockEach);

/// <summary>
/// A bounded mixed workload through the gateway: product views, cart writes, checkouts of one unit of a few hot skus,
/// pays and cancels of the worker's own orders. Every request and its answer is recorded. Each worker paces itself
/// (a fixed gap between requests, so the rate is fixed) and stops at its request cap or when stopped, whichever is first;
/// a request gives up after <see cref="RequestTimeout"/> (a hung request is recorded as one).
/// </summary>
public sealed class Workload : IAsyncDisposable
{
    /// <summary>Above the gateway's own request budget (20 s), so a slow answer is recorded as what the gateway said, not as the client's give-up.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(25);
    private static readonly object Address = new { name = "Ada", line1 = "1 Way", city = "London", postalCode = "N1", country = "GB" };

    private readonly FaultPlatform _platform;
    private readonly Catalog _catalog;
    private readonly ConcurrentQueue<Sample> _samples = new();
    private readonly ConcurrentQueue<HealthSample> _health = new();
    private readonly CancellationTokenSource _stop = new();
    // In-flight requests are not abandoned when the workload stops (an abandoned checkout may still commit, unrecorded):
    // they end by themselves within RequestTimeout; this token only cuts them off at the hard bound.
    private readonly CancellationTokenSource _hard = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Task> _loops = [];

    public Workload(FaultPlatform platform, Catalog catalog, int workers = 4, TimeSpan? gap = null, int maxRequestsPerWorker = 3000, TimeSpan? maxDuration = null)
    {
        _platform = platform;
        _catalog = catalog;
        _stop.CancelAfter(maxDuration ?? TimeSpan.FromMinutes(3)); // stops by itself even if nobody stops it
        _hard.CancelAfter((maxDuration ?? TimeSpan.FromMinutes(3)) + RequestTimeout + RequestTimeout);
        for (var i = 0; i < workers; i++)
        {
            var seed = i;
            _loops.Add(Task.Run(() => WorkerAsync(seed, gap ?? TimeSpan.FromMilliseconds(40), maxRequestsPerWorker)));
        }

        _loops.Add(Task.Run(() => HealthLoopAsync("gateway", platform.Gateway)));
        foreach (var (service, endpoint) in platform.ServiceEndpoints)
        {
            _loops.Add(Task.Run(() => HealthLoopAsync(service, endpoint)));
        }
    }

    public TimeSpan Now => _clock.Elapsed;
    public IReadOnlyList<Sample> Samples => [.. _samples];
    /// <summary>The gateway's /health answers.</summary>
    public IReadOnlyList<HealthSample> Health => [.. _health.Where(h => h.Service == "gateway")];

    /// <summary>Every service's own /health answers (the gateway's too).</summary>
    public IReadOnlyList<HealthSample> ServiceHealth => [.. _health];
    public int Count => _samples.Count;

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        _hard.Dispose();
    }

    private async Task HealthLoopAsync(string service, Uri endpoint)
    {
        using var client = new HttpClient { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(2) };
        while (!_stop.IsCancellationRequested)
        {
            var at = Now;
            int status;
            try
            {
                using var response = await client.GetAsync("/health", _stop.Token);
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

            _health.Enqueue(new HealthSample(at, status, service));
            try
            {
                await Task.Delay(250, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WorkerAsync(int seed, TimeSpan gap, int max)
    {
        var random = new Random(seed * 7919 + 17);
        var customer = Guid.CreateVersion7();
        using var client = _platform.CreateClient(TestTokens.Customer(customer), RequestTimeout);
        var open = new List<Guid>(); // this customer's orders that can still be paid or cancelled
        string? cart = null; // this customer's cart once a cart write was answered
        var cartHasLines = false;
        for (var n = 0; n < max && !_stop.IsCancellationRequested; n++)
        {
            var (sku, productId) = _catalog.Products[random.Next(_catalog.Products.Count)];
            var roll = random.Next(100);
            try
            {
                if (roll < 50)
                {
                    await SendAsync(client, "view", HttpMethod.Get, $"/api/catalog/products/{productId}", null, customer);
                }
                else if (roll < 70)
                {
                    var created = await SendAsync(client, "cart", HttpMethod.Post, "/api/carts", null, customer);
                    if (created.Id is { } cartId)
                    {
                        cart = cartId;
                        var added = await SendAsync(client, "cart", HttpMethod.Post, $"/api/carts/{cartId}/items", JsonSerializer.Serialize(new { sku, quantity = 1 }), customer);
                        cartHasLines |= added.Status is >= 200 and < 300;
                    }
                }
                else if (roll < 85 || open.Count == 0)
                {
                    // A third of the checkouts order the customer's cart (the cart consumer must then delete it), the rest one line.
                    var fromCart = cart is not null && cartHasLines && random.Next(3) == 0;
                    var body = fromCart
                        ? JsonSerializer.Serialize(new { cartId = cart, shippingAddress = Address })
                        : JsonSerializer.Serialize(new { lines = new[] { new { sku, quantity = 1 } }, shippingAddress = Address });
                    var placed = await SendAsync(client, "checkout", HttpMethod.Post, "/api/orders", body, customer, key: Guid.NewGuid().ToString(),
                        cartId: fromCart ? cart : null);
                    if (placed.OrderId is { } id)
                    {
                        open.Add(id);
                    }

                    if (fromCart && placed.Status is >= 200 and < 300)
                    {
                        (cart, cartHasLines) = (null, false);
                    }
                }
                else
                {
                    var index = random.Next(open.Count);
                    var id = open[index];
                    var pay = roll < 93;
                    var answer = pay
                        ? await SendAsync(client, "pay", HttpMethod.Post, $"/api/orders/{id}/pay", JsonSerializer.Serialize(new { paymentMethod = "tok_visa" }), customer,
                            key: $"pay-{id}") // one key per order: a retried pay is the same attempt
                        : await SendAsync(client, "cancel", HttpMethod.Post, $"/api/orders/{id}/cancel", null, customer);
                    if (answer.Status is >= 200 and < 300 && !pay || answer.Status is 409 or 404)
                    {
                        open.RemoveAt(index);
                    }
                }

                await Task.Delay(gap, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task<(int Status, string? Id, Guid? OrderId)> SendAsync(HttpClient client, string op, HttpMethod method, string path, string? body,
        Guid customer, string? key = null, string? cartId = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        var at = Now;
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await client.SendAsync(request, _hard.Token);
            var status = (int)response.StatusCode;
            string? id = null;
            Guid? orderId = null;
            string? error = null;
            var text = await response.Content.ReadAsStringAsync(_hard.Token);
            if (status is >= 200 and < 300 && text.Length > 0 && (op is "cart" or "checkout"))
            {
                using var json = JsonDocument.Parse(text);
                id = json.RootElement.TryGetProperty("id", out var v) ? v.ToString() : null;
                orderId = op == "checkout" && Guid.TryParse(id, out var g) ? g : null;
            }
            else if (status >= 500)
            {
                // What an unhealthy answer said: enough to tell an honest problem from a stack trace.
                error = text.Length > 300 ? text[..300] : text;
            }

            _samples.Enqueue(new Sample(at, op, status, clock.Elapsed.TotalMilliseconds, response.Headers.RetryAfter is not null,
                response.Content.Headers.ContentType?.MediaType == "application/problem+json", error, key, body, orderId, customer,
                CartId: op == "cart" && method == HttpMethod.Post && path == "/api/carts" ? id : cartId));
            return (status, id, orderId);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !_hard.IsCancellationRequested)
        {
            _samples.Enqueue(new Sample(at, op, 0, clock.Elapsed.TotalMilliseconds, false, false, ex.GetType().Name + ": " + ex.Message, key, body, null, customer, cartId));
            return (0, null, null);
        }
    }

    /// <summary>Products with stock for one run, made through the gateway by an admin.</summary>
    public static async Task<Catalog> PrepareAsync(FaultPlatform platform, int products, int stockEach, CancellationToken ct)
    {
        using var admin = platform.CreateClient(TestTokens.Admin(), TimeSpan.FromSeconds(30));
        var list = new List<(string, Guid)>();
        for (var i = 0; i < products; i++)
        {
            var sku = "FLT-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
            using var created = await admin.PostAsJsonAsync("/api/catalog/products", new
            {
                sku, name = $"Fault Probe {sku}", brand = "Acme", category = "probes", price = 12.5m, currency = "EUR", status = "active",
            }, ct);
            Assert.True(created.StatusCode == HttpStatusCode.Created, $"creating {sku}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync(ct)}");
            var product = await created.Content.ReadFromJsonAsync<JsonElement>(ct);
            using var stocked = await admin.PutAsJsonAsync($"/api/inventory/{sku}", new { warehouse = "main", onHand = stockEach }, ct);
            Assert.True(stocked.StatusCode == HttpStatusCode.OK, $"stocking {sku}: {(int)stocked.StatusCode}");
            list.Add((sku, product.GetProperty("id").GetGuid()));
        }

        return new Catalog(list, stockEach);
    }
}
