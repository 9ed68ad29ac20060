using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Ecommerce.Bench;
using Ecommerce.Authentication;

// Load generator for the bench lab. Examples:
//   bench get      --url http://127.0.0.1:8080/api/inventory/SKU-000001 --rate 2000 --duration 10
//   bench checkout --url http://127.0.0.1:8080 --skus 100000 --rate 200 --duration 10 --key-file .state/jwt-signing-key
//   bench checkout --url … --hot-sku SKU-HOT …
//   bench stock    --url http://127.0.0.1:8080 --skus 100000 --on-hand 1000000 --key-file …
var options = Options.Parse(args.Skip(1).ToArray());
var command = args.FirstOrDefault() ?? "help";
using var http = LoadRunner.CreateClient(options.Connections);
http.BaseAddress = new Uri(options.Url);

var skuFile = options.SkuFile is { } f && File.Exists(f) ? File.ReadAllLines(f) : null;
string Sku(int i) => skuFile is null ? $"SKU-{i:D6}" : skuFile[(i - 1) % skuFile.Length];

switch (command)
{
    case "skus":
        // Every active product sku, by walking the catalog's keyset pages.
        var all = new List<string>();
        string? cursor = null;
        do
        {
            var page = await http.GetFromJsonAsync<SkuPage>($"/api/catalog/products?limit=100&sort=newest{(cursor is null ? "" : "&cursor=" + cursor)}");
            all.AddRange(page!.Items.Select(p => p.Sku));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        await File.WriteAllLinesAsync(options.SkuFile ?? "skus.txt", all);
        Console.WriteLine($"{all.Count} skus written to {options.SkuFile ?? "skus.txt"}");
        break;

    case "sample":
        // The first --skus active products: ids to --id-file (product views), skus to --sku-file (carts, orders).
        var sampleIds = new List<string>();
        var sampleSkus = new List<string>();
        string? sampleCursor = null;
        do
        {
            var page = await http.GetFromJsonAsync<SamplePage>($"/api/catalog/products?limit=100&sort=newest{(sampleCursor is null ? "" : "&cursor=" + sampleCursor)}");
            sampleIds.AddRange(page!.Items.Select(p => p.Id.ToString()));
            // A product with variants is bought as one of them (its own sku is not purchasable): take the first variant.
            sampleSkus.AddRange(page.Items.Select(p => p.Variants is { Count: > 0 } variants ? variants[0].Sku : p.Sku));
            sampleCursor = page.NextCursor;
        }
        while (sampleCursor is not null && sampleIds.Count < options.Skus);

        await File.WriteAllLinesAsync(options.IdFile ?? "ids.txt", sampleIds);
        await File.WriteAllLinesAsync(options.SkuFile ?? "skus.txt", sampleSkus);
        Console.WriteLine($"{sampleIds.Count} products sampled");
        break;

    case "mix":
        var mix = new ShoppingMix(File.ReadAllLines(options.IdFile ?? "ids.txt").Select(Guid.Parse).ToList(), skuFile ?? [], Tokens(options));
        Report(options, await LoadRunner.RunAsync(options.Name ?? "shopping mix", mix.NextAsync, options.Rate, options.Duration, options.Connections, http));
        break;

    case "serve":
        await TrivialServer.RunAsync(int.Parse(options.Url.Split(':')[^1].TrimEnd('/'), CultureInfo.InvariantCulture));
        break;

    case "report":
        // report --out <dir>/results.jsonl: writes report.md and the charts next to it; machine.md and checks.txt there are included.
        var labResults = options.Out ?? "results.jsonl";
        var labDirectory = Path.GetDirectoryName(Path.GetFullPath(labResults))!;
        var machine = Path.Combine(labDirectory, "machine.md");
        var checks = Path.Combine(labDirectory, "checks.txt");
        LabReport.Write(labResults, labDirectory, File.Exists(machine) ? File.ReadAllText(machine) : "", File.Exists(checks) ? File.ReadAllLines(checks) : []);
        break;

    case "token":
        // An admin access token for scripts (signed with the platform's key).
        Console.WriteLine(Tokens(options).CreateAccessToken(Guid.CreateVersion7(), "bench-admin@example.test", Roles.Admin));
        break;

    case "urls":
        // GET relative URLs from --url-file in turn (e.g. search queries of one kind), named --name.
        var urls = File.ReadAllLines(options.UrlFile ?? throw new InvalidOperationException("Pass --url-file <file of relative URLs>."))
            .Where(l => l.Length > 0).ToArray();
        var next = 0;
        Report(options, await LoadRunner.RunAsync(options.Name ?? $"GET {urls.Length} urls", async (client, _, ct) =>
        {
            using var response = await client.GetAsync(new Uri(urls[(Interlocked.Increment(ref next) & int.MaxValue) % urls.Length], UriKind.Relative), ct);
            return response.IsSuccessStatusCode;
        }, options.Rate, options.Duration, options.Connections, http));
        break;

    case "get":
        Report(options, await LoadRunner.RunAsync(options.Name ?? $"GET {http.BaseAddress.AbsolutePath}", async (client, _, ct) =>
        {
            using var response = await client.GetAsync(http.BaseAddress, ct);
            return response.IsSuccessStatusCode;
        }, options.Rate, options.Duration, options.Connections, http));
        break;

    case "stock":
        var admin = Tokens(options).CreateAccessToken(Guid.CreateVersion7(), "bench-admin@example.test", Roles.Admin);
        http.DefaultRequestHeaders.Authorization = new("Bearer", admin);
        var done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(1, skuFile?.Length ?? options.Skus), new ParallelOptions { MaxDegreeOfParallelism = options.Connections }, async (i, ct) =>
        {
            using var response = await http.PutAsJsonAsync($"/api/inventory/{Sku(i)}", new { warehouse = "main", onHand = options.OnHand }, ct);
            response.EnsureSuccessStatusCode();
            if (Interlocked.Increment(ref done) % 10_000 == 0)
            {
                Console.WriteLine($"stock set for {done} skus");
            }
        });
        if (options.HotSku is { } hot)
        {
            using var response = await http.PutAsJsonAsync($"/api/inventory/{hot}", new { warehouse = "main", onHand = options.OnHand });
            response.EnsureSuccessStatusCode();
        }

        Console.WriteLine($"stock set for {done} skus");
        break;

    case "checkout":
        var issuer = Tokens(options);
        var customers = Enumerable.Range(0, 64).Select(_ => issuer.CreateAccessToken(Guid.CreateVersion7(), "bench@example.test", Roles.Customer)).ToArray();
        var name = options.Name ?? (options.HotSku is null ? $"checkout over {skuFile?.Length ?? options.Skus} skus" : $"checkout on hot sku {options.HotSku}");
        var accepted = 0;
        Report(options, await LoadRunner.RunAsync(name, async (client, sequence, ct) =>
        {
#pragma warning disable CA5394 // load spreading, not security
            var sku = options.HotSku ?? Sku(Random.Shared.Next(1, (skuFile?.Length ?? options.Skus) + 1));
#pragma warning restore CA5394
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
            {
                Content = JsonContent.Create(new
                {
                    lines = new[] { new { sku, quantity = 1 } },
                    shippingAddress = new { name = "Bench", line1 = "1 Load St", city = "Berlin", postalCode = "10115", country = "DE" },
                }),
            };
            request.Headers.Authorization = new("Bearer", customers[sequence % customers.Length]);
            request.Headers.Add("Idempotency-Key", $"bench-{Guid.NewGuid():N}");
            using var response = await client.SendAsync(request, ct);
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref accepted);
                return true;
            }

            // On a hot sku, a 409 (sold out) is a correct answer too.
            return options.HotSku is not null && response.StatusCode == System.Net.HttpStatusCode.Conflict;
        }, options.Rate, options.Duration, options.Connections, http));
        // One unit per order: on a hot sku this is the number of units sold, for the oversell check.
        Console.WriteLine($"orders accepted: {accepted}");
        break;

    case "cart-checkout":
        // Checkout from a cart (the path with calls between services): first one guest cart per order, each with one
        // line, then the timed part only — POST /api/orders {cartId} at --rate, from signed-in customers.
        var buyers = Tokens(options);
        var buyerTokens = Enumerable.Range(0, 64).Select(_ => buyers.CreateAccessToken(Guid.CreateVersion7(), "bench@example.test", Roles.Customer)).ToArray();
        var cartCount = (int)Math.Ceiling(options.Rate * options.Duration.TotalSeconds) + 1;
        var cartIds = new string[cartCount];
        await Parallel.ForEachAsync(Enumerable.Range(0, cartCount), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            using var created = await http.PostAsync(new Uri("/api/carts", UriKind.Relative), null, ct);
            created.EnsureSuccessStatusCode();
            cartIds[i] = (await created.Content.ReadFromJsonAsync<CartId>(ct))!.Id;
#pragma warning disable CA5394 // load spreading, not security
            using var added = await http.PostAsJsonAsync($"/api/carts/{cartIds[i]}/items", new { sku = Sku(Random.Shared.Next(1, (skuFile?.Length ?? options.Skus) + 1)), quantity = 1 }, ct);
#pragma warning restore CA5394
            added.EnsureSuccessStatusCode();
        });
        Console.WriteLine($"{cartCount} carts prepared");
        Report(options, await LoadRunner.RunAsync(options.Name ?? "checkout from a cart", async (client, sequence, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
            {
                Content = JsonContent.Create(new
                {
                    cartId = cartIds[sequence % cartCount],
                    shippingAddress = new { name = "Bench", line1 = "1 Load St", city = "Berlin", postalCode = "10115", country = "DE" },
                }),
            };
            request.Headers.Authorization = new("Bearer", buyerTokens[sequence % buyerTokens.Length]);
            request.Headers.Add("Idempotency-Key", $"bench-{Guid.NewGuid():N}");
            using var response = await client.SendAsync(request, ct);
            return response.IsSuccessStatusCode;
        }, options.Rate, options.Duration, options.Connections, http));
        break;

    case "cart":
        // One round trip: create a guest cart, add 3 items, read it back priced. Latency is for the whole trip.
        var skus = (options.SkuList ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        Report(options, await LoadRunner.RunAsync(options.Name ?? $"cart round trip ({http.BaseAddress})", async (client, sequence, ct) =>
        {
            using var created = await client.PostAsync(new Uri("/api/carts", UriKind.Relative), null, ct);
            if (!created.IsSuccessStatusCode)
            {
                return false;
            }

            var id = (await created.Content.ReadFromJsonAsync<CartId>(ct))!.Id;
            for (var i = 0; i < 3; i++)
            {
                using var added = await client.PostAsJsonAsync($"/api/carts/{id}/items", new { sku = skus[(sequence * 3 + i) % skus.Length], quantity = 1 }, ct);
                if (!added.IsSuccessStatusCode)
                {
                    return false;
                }
            }

            using var read = await client.GetAsync(new Uri($"/api/carts/{id}", UriKind.Relative), ct);
            return read.IsSuccessStatusCode;
        }, options.Rate, options.Duration, options.Connections, http));
        break;

    default:
        Console.WriteLine("commands: skus | sample | get | urls | mix | stock | checkout | cart-checkout | cart | serve | report | token   (options: --url --rate --duration --connections --skus --hot-sku --on-hand --key-file --out --sku-list --sku-file --url-file --name)");
        break;
}

static TokenIssuer Tokens(Options o) => new(new JwtOptions
{
    SigningKey = o.SigningKey ?? throw new InvalidOperationException("Pass --key-file <.state/jwt-signing-key> or --key <key>."),
}, TimeProvider.System);

static void Report(Options o, LoadResult r)
{
    var errors = r.ErrorKinds is { } kinds ? "; errors: " + string.Join(", ", kinds.Select(k => $"{k.Value} × {k.Key}")) : "";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{r.Scenario}: offered {(r.OfferedRps > 0 ? r.OfferedRps.ToString("0", CultureInfo.InvariantCulture) : "max")} rps, achieved {r.AchievedRps:0} rps, " +
        $"{r.Requests} requests, {r.Errors} errors, p50 {r.P50Ms:0.00} ms, p95 {r.P95Ms:0.00} ms, p99 {r.P99Ms:0.00} ms, max {r.MaxMs:0.00} ms, " +
        $"generator CPU {r.GeneratorCpuShare:P0} of the machine{errors}"));
    if (o.Out is { } file)
    {
        File.AppendAllText(file, JsonSerializer.Serialize(r) + Environment.NewLine);
    }
}

internal sealed record CartId(string Id);

internal sealed record SkuItem(string Sku);

internal sealed record SkuPage(List<SkuItem> Items, string? NextCursor);

internal sealed record SampleItem(Guid Id, string Sku, List<SkuItem>? Variants);

internal sealed record SamplePage(List<SampleItem> Items, string? NextCursor);

internal sealed record Options(string Url, double Rate, TimeSpan Duration, int Connections, int Skus, string? HotSku, int OnHand, string? SigningKey, string? Out, string? SkuList, string? SkuFile,
    string? UrlFile, string? Name, string? IdFile)
{
    public static Options Parse(string[] args)
    {
        string? Get(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var keyFile = Get("--key-file");
        return new Options(
            Get("--url") ?? "http://127.0.0.1:8080",
            double.Parse(Get("--rate") ?? "0", CultureInfo.InvariantCulture),
            TimeSpan.FromSeconds(double.Parse(Get("--duration") ?? "10", CultureInfo.InvariantCulture)),
            int.Parse(Get("--connections") ?? "32", CultureInfo.InvariantCulture),
            int.Parse(Get("--skus") ?? "1000", CultureInfo.InvariantCulture),
            Get("--hot-sku"),
            int.Parse(Get("--on-hand") ?? "1000000", CultureInfo.InvariantCulture),
            Get("--key") ?? (keyFile is null ? null : File.ReadAllText(keyFile).Trim()),
            Get("--out"),
            Get("--sku-list"),
            Get("--sku-file"),
            Get("--url-file"),
            Get("--name"),
            Get("--id-file"));
    }
}
