namespace Cart.Tests;

/// <summary>What every cart store must do, run against each adapter with a real server.</summary>
public abstract class CartStoreContract
{
    protected static readonly CartLimits Limits = new(MaxLines: 5, MaxQuantity: 99, Ttl: TimeSpan.FromDays(7));
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    protected abstract Task<ICartStore> StoreAsync();

    private static CartLineData Line(string sku, int quantity, decimal price = 10m) => new(sku, quantity, price, "EUR", Now);

    private static async Task<string> NewCartAsync(ICartStore store, Guid? owner = null)
    {
        var id = Cart.Api.Carts.CartEndpoints.NewCartId();
        await store.CreateAsync(id, owner, Limits, Now, CancellationToken.None);
        return id;
    }

    [Fact]
    public async Task A_new_cart_is_empty_and_an_unknown_one_is_absent()
    {
        var store = await StoreAsync();
        var id = await NewCartAsync(store);

        var cart = await store.GetAsync(id, Now, TestContext.Current.CancellationToken);

        Assert.NotNull(cart);
        Assert.Empty(cart.Lines);
        Assert.Null(cart.OwnerId);
        Assert.InRange(cart.ExpiresAt, Now + Limits.Ttl - TimeSpan.FromMinutes(1), Now + Limits.Ttl + TimeSpan.FromMinutes(1));
        Assert.Null(await store.GetAsync(Cart.Api.Carts.CartEndpoints.NewCartId(), Now, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Adding_creates_a_line_then_adds_to_it_and_keeps_the_first_price_seen()
    {
        var store = await StoreAsync();
        var id = await NewCartAsync(store);

        Assert.Equal(CartChange.Done, await store.AddAsync(id, Line("A", 2, 10m), Limits, Now, TestContext.Current.CancellationToken));
        Assert.Equal(CartChange.Done, await store.AddAsync(id, Line("A", 3, 12m), Limits, Now, TestContext.Current.CancellationToken));
        Assert.Equal(CartChange.QuantityTooLarge, await store.AddAsync(id, Line("A", 95), Limits, Now, TestContext.Current.CancellationToken));

        var line = Assert.Single((await store.GetAsync(id, Now, TestContext.Current.CancellationToken))!.Lines);
        Assert.Equal(("A", 5, 10m, "EUR"), (line.Sku, line.Quantity, line.PriceSeen, line.Currency));
        Assert.Equal(CartChange.CartNotFound, await store.AddAsync("missing-cart-id-000000", Line("A", 1), Limits, Now, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_cart_holds_at_most_the_line_limit()
    {
        var store = await StoreAsync();
        var id = await NewCartAsync(store);
        for (var i = 0; i < Limits.MaxLines; i++)
        {
            Assert.Equal(CartChange.Done, await store.AddAsync(id, Line($"S{i}", 1), Limits, Now, TestContext.Current.CancellationToken));
        }

        Assert.Equal(CartChange.TooManyLines, await store.AddAsync(id, Line("ONE-TOO-MANY", 1), Limits, Now, TestContext.Current.CancellationToken));
        Assert.Equal(CartChange.Done, await store.AddAsync(id, Line("S0", 1), Limits, Now, TestContext.Current.CancellationToken)); // existing line: fine
        Assert.Equal(Limits.MaxLines, (await store.GetAsync(id, Now, TestContext.Current.CancellationToken))!.Lines.Count);
    }

    [Fact]
    public async Task A_cart_holds_one_currency()
    {
        var store = await StoreAsync();
        var id = await NewCartAsync(store);
        await store.AddAsync(id, Line("A", 1), Limits, Now, TestContext.Current.CancellationToken);

        Assert.Equal(CartChange.OtherCurrency, await store.AddAsync(id, new CartLineData("B", 1, 10m, "USD", Now), Limits, Now, TestContext.Current.CancellationToken));
        Assert.Equal(CartChange.OtherCurrency, await store.AddAsync(id, new CartLineData("A", 1, 10m, "USD", Now), Limits, Now, TestContext.Current.CancellationToken));
        var line = Assert.Single((await store.GetAsync(id, Now, TestContext.Current.CancellationToken))!.Lines);
        Assert.Equal(("A", 1, "EUR"), (line.Sku, line.Quantity, line.Currency));

        // Nor can a merge mix them: nothing moves and the guest cart stays.
        var guest = await NewCartAsync(store);
        await store.AddAsync(guest, new CartLineData("B", 1, 10m, "USD", Now), Limits, Now, TestContext.Current.CancellationToken);
        Assert.Equal(CartChange.OtherCurrency, (await store.MergeAsync(guest, id, Limits, Now, TestContext.Current.CancellationToken)).Change);
        Assert.Equal("A", Assert.Single((await store.GetAsync(id, Now, TestContext.Current.CancellationToken))!.Lines).Sku);
        Assert.Equal("B", Assert.Single((await store.GetAsync(guest, Now, TestContext.Current.CancellationToken))!.Lines).Sku);
    }

    [Fact]
    public async Task Setting_and_removing_lines()
    {
        var store = await StoreAsync();
        var id = await NewCartAsync(store);
        await store.AddAsync(id, Line("A", 1), Limits, Now, TestContext.Current.CancellationToken);
        await store.AddAsync(id, Line("B", 1), Limits, Now, TestContext.Current.CancellationToken);

        Assert.Equal(CartChange.Done, await store.SetQuantityAsync(id, "A", 7, Limits, Now, TestContext.Current.CancellationToken));
        Assert.Equal(CartChange.Done, await store.RemoveAsync(id, "B", Limits, Now, TestContext.Current.CancellationToken));
        Assert.Equal(CartChange.LineNotFound, await store.RemoveAsync(id, "B", Limits, Now, TestContext.Current.CancellationToken));
        Assert.Equal(CartChange.LineNotFound, await store.SetQuantityAsync(id, "Z", 1, Limits, Now, TestContext.Current.CancellationToken));

        var line = Assert.Single((await store.GetAsync(id, Now, TestContext.Current.CancellationToken))!.Lines);
        Assert.Equal(("A", 7), (line.Sku, line.Quantity));
        // After a removal there is room for a new line again.
        for (var i = 0; i < Limits.MaxLines - 1; i++)
        {
            Assert.Equal(CartChange.Done, await store.AddAsync(id, Line($"N{i}", 1), Limits, Now, TestContext.Current.CancellationToken));
        }

        Assert.True(await store.DeleteAsync(id, TestContext.Current.CancellationToken));
        Assert.Null(await store.GetAsync(id, Now, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_users_cart_is_found_by_owner()
    {
        var store = await StoreAsync();
        var owner = Guid.CreateVersion7();
        var id = await NewCartAsync(store, owner);

        Assert.Equal(id, await store.FindByOwnerAsync(owner, Now, TestContext.Current.CancellationToken));
        Assert.Equal(owner, (await store.GetAsync(id, Now, TestContext.Current.CancellationToken))!.OwnerId);
        Assert.Null(await store.FindByOwnerAsync(Guid.CreateVersion7(), Now, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Merging_adds_quantities_caps_them_drops_lines_beyond_the_limit_and_deletes_the_guest_cart()
    {
        var store = await StoreAsync();
        var user = await NewCartAsync(store, Guid.CreateVersion7());
        var guest = await NewCartAsync(store);
        foreach (var (sku, q) in new[] { ("A", 60), ("B", 1), ("C", 1), ("D", 1) })
        {
            await store.AddAsync(user, Line(sku, q), Limits, Now, TestContext.Current.CancellationToken);
        }

        foreach (var (sku, q) in new[] { ("A", 60), ("E", 2), ("F", 3) })
        {
            await store.AddAsync(guest, Line(sku, q), Limits, Now, TestContext.Current.CancellationToken);
        }

        var (change, dropped) = await store.MergeAsync(guest, user, Limits, Now, TestContext.Current.CancellationToken);

        var lines = (await store.GetAsync(user, Now, TestContext.Current.CancellationToken))!.Lines.ToDictionary(l => l.Sku, l => l.Quantity);
        Assert.Equal(CartChange.Done, change);
        Assert.Equal(1, dropped);                     // room for one new line: E (added first) fits, F does not
        Assert.Equal(99, lines["A"]);                 // 60 + 60 capped
        Assert.Equal(2, lines["E"]);
        Assert.False(lines.ContainsKey("F"));
        Assert.Null(await store.GetAsync(guest, Now, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Concurrent_changes_to_one_cart_lose_no_update()
    {
        var store = await StoreAsync();
        var id = await NewCartAsync(store);
        var wide = Limits with { MaxLines = 100 };

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => store.AddAsync(id, Line("SAME", 1), wide, Now, CancellationToken.None)));
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => store.AddAsync(id, Line($"L{i}", 1), wide, Now, CancellationToken.None)));

        var cart = (await store.GetAsync(id, Now, TestContext.Current.CancellationToken))!;
        Assert.Equal(50, cart.Lines.Single(l => l.Sku == "SAME").Quantity);
        Assert.Equal(41, cart.Lines.Count);
    }
}

public sealed class RedisCartStoreTests(TestInfrastructure infrastructure) : CartStoreContract
{
    protected override async Task<ICartStore> StoreAsync() =>
        new RedisCartStore(await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(await infrastructure.CreateRedisDatabaseAsync()));
}

public sealed class PostgresCartStoreTests(TestInfrastructure infrastructure) : CartStoreContract
{
    protected override async Task<ICartStore> StoreAsync()
    {
        var dataSource = Npgsql.NpgsqlDataSource.Create(await infrastructure.CreateDatabaseAsync("carts"));
        var store = new PostgresCartStore(dataSource);
        await store.EnsureSchemaAsync(CancellationToken.None);
        return store;
    }

    [Fact]
    public async Task Expired_carts_are_invisible_and_the_cleanup_deletes_them()
    {
        var store = (PostgresCartStore)await StoreAsync();
        var id = Cart.Api.Carts.CartEndpoints.NewCartId();
        var now = DateTimeOffset.UtcNow;
        await store.CreateAsync(id, null, Limits, now, TestContext.Current.CancellationToken);

        var later = now + Limits.Ttl + TimeSpan.FromSeconds(1);
        Assert.Null(await store.GetAsync(id, later, TestContext.Current.CancellationToken));
        Assert.Equal(1, await store.DeleteExpiredAsync(later, TestContext.Current.CancellationToken));
    }
}
