extern alias payments;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Ordering.Api.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Ordering.Api.Orders;
using PaymentsProgram = payments::Program;

namespace Ordering.Tests;

/// <summary>
/// One ordering database, a catalog stub, the real payments service (its own database, the same Redis, so events
/// flow both ways), and as many ordering instances as a test wants.
/// </summary>
public sealed class OrderingHost : IAsyncDisposable
{
    private readonly List<ServiceFactory<Program>> _instances = [];

    private OrderingHost(string connectionString, string redis, CatalogStub catalog, ServiceFactory<PaymentsProgram> payments)
    {
        ConnectionString = connectionString;
        Redis = redis;
        Catalog = catalog;
        Payments = payments;
        PaymentsUrl = payments.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
    }

    public ServiceFactory<PaymentsProgram> Payments { get; }
    public string PaymentsUrl { get; }

    public string ConnectionString { get; }
    public string Redis { get; }
    public CatalogStub Catalog { get; }
    public static readonly object Address = new { name = "Ada Lovelace", line1 = "1 Analytical Way", city = "London", postalCode = "N1 9GU", country = "GB" };

    public static async Task<OrderingHost> StartAsync(TestInfrastructure infrastructure)
    {
        var database = await infrastructure.CreateDatabaseAsync("ordering");
        var redis = await infrastructure.CreateRedisDatabaseAsync();
        var payments = new ServiceFactory<PaymentsProgram>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:paymentdb"] = await infrastructure.CreateDatabaseAsync("payments") + ";Maximum Pool Size=50",
            ["ConnectionStrings:redis"] = redis,
            ["Payments:Provider:LatencyMilliseconds"] = "5",
            ["Payments:ReconcileGrace"] = "00:00:00", // judge everything: the tests wait until it balances
            ["Consumers:PollInterval"] = "00:00:00.050",
        }, useRealServer: true);
        payments.StartServer();
        return new OrderingHost(database, redis, await CatalogStub.StartAsync(), payments);
    }

    /// <summary>A service instance; <paramref name="realServer"/> serves on a loopback port (for concurrency tests).</summary>
    public ServiceFactory<Program> Instance(bool realServer = false, TimeProvider? time = null, Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["ConnectionStrings:orderingdb"] = ConnectionString + ";Maximum Pool Size=50",
            ["ConnectionStrings:redis"] = Redis,
            ["Ordering:CatalogUrl"] = Catalog.Url.ToString(),
            ["Ordering:PaymentsUrl"] = PaymentsUrl,
            ["Consumers:PollInterval"] = "00:00:00.050",
        };
        foreach (var (k, v) in settings ?? [])
        {
            all[k] = v;
        }

        var factory = new ServiceFactory<Program>(all, realServer, time is null ? null : s => s.AddSingleton(time));

        if (realServer)
        {
            factory.StartServer();
        }

        _instances.Add(factory);
        return factory;
    }

    public async Task<T> QueryAsync<T>(Func<OrderingDb, Task<T>> query)
    {
        await using var db = new OrderingDb(new DbContextOptionsBuilder<OrderingDb>().UseNpgsql(ConnectionString).Options);
        return await query(db);
    }

    public static async Task SetStockAsync(HttpClient admin, string sku, string warehouse, int onHand)
    {
        using var response = await admin.PutAsJsonAsync($"/api/inventory/{sku}", new { warehouse, onHand });
        response.EnsureSuccessStatusCode();
    }

    public static object Order(params (string Sku, int Quantity)[] lines) =>
        new { lines = lines.Select(l => new { sku = l.Sku, quantity = l.Quantity }), shippingAddress = Address };

    public static async Task<HttpResponseMessage> PlaceAsync(HttpClient customer, object body, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return await customer.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await Catalog.DisposeAsync();
        await Payments.DisposeAsync();
    }

    /// <summary>Pays an order with a test card token under an Idempotency-Key (a new one unless given).</summary>
    public static async Task<HttpResponseMessage> PayAsync(HttpClient customer, Guid orderId, string method = "tok_visa", string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orders/{orderId}/pay") { Content = JsonContent.Create(new { paymentMethod = method }) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return await customer.SendAsync(request);
    }
}

public sealed record Problem(string Type, string Title, int Status, string? Detail, List<ShortLine>? ShortLines);

public sealed record Inventory(string Sku, int OnHand, int Reserved, int Available);
