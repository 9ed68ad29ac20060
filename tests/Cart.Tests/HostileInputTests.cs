using System.Collections.Concurrent;
using Cart.Api.Pricing;
using Ecommerce.Testing.Hostile;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cart.Tests;

/// <summary>
/// Issue 13, defects 3, 4, 6, 9, 10 on the cart API: unstorable text in route values and JSON, look-alike skus, numbers
/// as strings, dot segments that renamed the request, malformed bodies logged as errors, and ignored expired tokens.
/// </summary>
public sealed class HostileInputTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private CatalogStub _catalog = null!;
    private readonly List<IAsyncDisposable> _hosts = [];
    private readonly CapturedLogs _logs = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _catalog = await CatalogStub.StartAsync();
        _catalog.Set("MUG", 12.50m);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
        await _catalog.DisposeAsync();
    }

    private async Task<ServiceFactory<Program>> ServiceAsync(bool realServer = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Cart:Store"] = "redis",
            ["Cart:CatalogUrl"] = _catalog.Url.ToString(),
            ["Cart:PriceCacheDuration"] = "00:00:00",
            ["ConnectionStrings:redis"] = await infrastructure.CreateRedisDatabaseAsync(),
        };
        var factory = new ServiceFactory<Program>(settings, realServer, services => services.AddSingleton<ILoggerProvider>(_logs));
        if (realServer) factory.StartServer();
        _hosts.Add(factory);
        return factory;
    }

    private static async Task<string> CreateWithMugAsync(HttpClient client)
    {
        using var created = await client.PostAsync(new Uri("/api/carts", UriKind.Relative), null, Ct);
        var id = (await created.Content.ReadFromJsonAsync<Cart.Api.Carts.CartCreated>(Ct))!.Id;
        using var added = await client.PostAsJsonAsync($"/api/carts/{id}/items", new { sku = "MUG", quantity = 1 }, Ct);
        added.EnsureSuccessStatusCode();
        return id;
    }

    private static async Task AssertOnlyTheMugAsync(HttpClient client, string id)
    {
        var cart = await client.GetFromJsonAsync<CartResponse>($"/api/carts/{id}", Ct);
        var line = Assert.Single(cart!.Lines);
        Assert.Equal(("MUG", 1), (line.Sku, line.Quantity));
    }

    // Not NUL: Kestrel refuses %00 in a path itself (400) before any application code, and the test server throws on it.
    public static TheoryData<string, string> RouteCases() =>
        HostileInput.Cases(["get /{id}", "post /{id}/items", "put /{id}/items/{sku}", "delete /{id}/items/{sku}", "delete /{id}"], HostileInput.InPath);

    [Theory]
    [MemberData(nameof(RouteCases))]
    public async Task Every_route_refuses_control_and_invisible_characters_in_its_route_values(string route, string inputClass)
    {
        using var client = (await ServiceAsync()).CreateClient();
        var id = await CreateWithMugAsync(client);
        var bad = HostileInput.Url(inputClass);
        var (method, path, field) = route switch
        {
            "get /{id}" => (HttpMethod.Get, $"/api/carts/{bad}", "id"),
            "post /{id}/items" => (HttpMethod.Post, $"/api/carts/{bad}/items", "id"),
            "put /{id}/items/{sku}" => (HttpMethod.Put, $"/api/carts/{id}/items/{bad}", "sku"),
            "delete /{id}/items/{sku}" => (HttpMethod.Delete, $"/api/carts/{id}/items/{bad}", "sku"),
            _ => (HttpMethod.Delete, $"/api/carts/{bad}", "id"),
        };
        using var request = new HttpRequestMessage(method, path) { Content = method == HttpMethod.Get ? null : JsonContent.Create(new { sku = "MUG", quantity = 2 }) };
        using var response = await client.SendAsync(request, Ct);

        await HostileInput.AssertRefusedAsync(response, field);
        await AssertOnlyTheMugAsync(client, id);
    }

    [Theory]
    [MemberData(nameof(HostileInput.JsonClasses), MemberType = typeof(HostileInput))]
    public async Task A_line_sku_that_a_store_cannot_hold_is_a_400_naming_it_and_nothing_changes(string inputClass)
    {
        using var client = (await ServiceAsync()).CreateClient();
        var id = await CreateWithMugAsync(client);

        using var response = await client.PostAsync(new Uri($"/api/carts/{id}/items", UriKind.Relative),
            HostileInput.JsonBody(new { sku = "@@", quantity = 1 }, inputClass), Ct);

        await HostileInput.AssertRefusedAsync(response, "sku");
        await AssertOnlyTheMugAsync(client, id);
    }

    [Fact]
    public async Task A_look_alike_sku_is_the_same_line_not_a_second_one()
    {
        using var client = (await ServiceAsync()).CreateClient();
        var id = await CreateWithMugAsync(client);

        using var lower = await client.PostAsJsonAsync($"/api/carts/{id}/items", new { sku = " mug ", quantity = 2 }, Ct);
        using var invisible = await client.PostAsJsonAsync($"/api/carts/{id}/items", new { sku = "MUG\u200B", quantity = 2 }, Ct);
        using var put = await client.PutAsJsonAsync($"/api/carts/{id}/items/mug", new { quantity = 5 }, Ct);

        Assert.Equal(HttpStatusCode.OK, lower.StatusCode);
        await HostileInput.AssertRefusedAsync(invisible, "sku");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var line = Assert.Single((await client.GetFromJsonAsync<CartResponse>($"/api/carts/{id}", Ct))!.Lines);
        Assert.Equal(("MUG", 5), (line.Sku, line.Quantity));
    }

    [Theory]
    [InlineData("post", """{"sku":"MUG","quantity":"5"}""", "quantity")]
    [InlineData("post", """{"sku":5,"quantity":1}""", "sku")]
    [InlineData("put", """{"quantity":"5"}""", "quantity")]
    [InlineData("put", """{"quantity":2.5}""", "quantity")]
    public async Task Numbers_as_strings_are_refused_with_a_problem_naming_the_field(string method, string json, string field)
    {
        using var client = (await ServiceAsync()).CreateClient();
        var id = await CreateWithMugAsync(client);

        using var response = await SendItemAsync(client, id, method, json);

        await HostileInput.AssertRefusedAsync(response, field);
        await AssertOnlyTheMugAsync(client, id);
    }

    /// <summary>Adds a line (post) or sets the mug's quantity (put) with <paramref name="json"/> as the body.</summary>
    private static Task<HttpResponseMessage> SendItemAsync(HttpClient client, string id, string method, string json) => method == "post"
        ? client.PostAsync(new Uri($"/api/carts/{id}/items", UriKind.Relative), HostileInput.JsonBody(json), Ct)
        : client.PutAsync(new Uri($"/api/carts/{id}/items/MUG", UriKind.Relative), HostileInput.JsonBody(json), Ct);

    // HostileInput.NullElement: one rule for every service's body, checked at the shared edge.
    [Theory]
    [InlineData("post", """{"sku":[null],"quantity":1}""", "sku[0]")]
    [InlineData("put", """{"quantity":[null]}""", "quantity[0]")]
    public async Task A_null_element_in_a_list_is_refused_naming_its_path_and_nothing_changes(string method, string json, string field)
    {
        using var client = (await ServiceAsync()).CreateClient();
        var id = await CreateWithMugAsync(client);

        using var response = await SendItemAsync(client, id, method, json);

        await HostileInput.AssertRefusedAsync(response, field);
        await AssertOnlyTheMugAsync(client, id);
    }

    [Fact]
    public async Task A_malformed_body_is_logged_as_the_clients_mistake_without_a_stack_trace()
    {
        using var client = (await ServiceAsync()).CreateClient();
        var id = await CreateWithMugAsync(client);

        using var response = await client.PostAsync(new Uri($"/api/carts/{id}/items", UriKind.Relative), HostileInput.JsonBody("{\"sku\": \"MUG\", "), Ct);

        await HostileInput.AssertRefusedAsync(response, "body");
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("Refused POST", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.DoesNotContain(_logs.Entries, e => e.Exception is Microsoft.AspNetCore.Http.BadHttpRequestException or System.Text.Json.JsonException);
    }

    [Theory]
    [InlineData("%2e%2e")]
    [InlineData("%2E%2e")]
    [InlineData(".%2e")]
    [InlineData("%2e")]
    public async Task A_dot_segment_in_any_spelling_is_refused_and_never_becomes_another_route(string segment)
    {
        var service = await ServiceAsync(realServer: true);
        using var client = service.CreateClient();
        var id = await CreateWithMugAsync(client);

        // Sent exactly as written: HttpClient would otherwise be free to normalise the path itself.
        var raw = new Uri($"{client.BaseAddress}api/carts/{id}/items/{segment}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, raw), Ct);

        await HostileInput.AssertRefusedAsync(response, "path");
        await AssertOnlyTheMugAsync(client, id);
    }

    [Fact]
    public async Task An_expired_or_garbage_token_on_an_anonymous_endpoint_is_401_and_no_guest_cart_is_made()
    {
        var service = await ServiceAsync();
        using var expired = service.CreateClient(TestTokens.Expired(Guid.CreateVersion7()));
        using var garbage = service.CreateClient("garbage");

        using var a = await expired.PostAsync(new Uri("/api/carts", UriKind.Relative), null, Ct);
        using var b = await garbage.PostAsync(new Uri("/api/carts", UriKind.Relative), null, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, b.StatusCode);
        Assert.Equal("application/problem+json", a.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("\"id\"", await a.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    /// <summary>Every log entry of the host, to check what a refused request is logged as.</summary>
    private sealed class CapturedLogs : ILoggerProvider
    {
        public ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturedLogs owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((logLevel, formatter(state, exception), exception));
        }
    }
}
