using Ecommerce.Messaging.ReadModels;
using Ecommerce.Clients;
using Ecommerce.Messaging;
using Search.Api.Engines.Elasticsearch;
using Search.Api.Engines.Lucene;
using Search.Api.Engines.Postgres;
using Search.Api.Indexing;
using Search.Api.Search;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddHttpEdge();
builder.AddDefaultAuthentication();
builder.AddRedisClient("redis");

var options = builder.AddValidatedOptions<SearchOptions>("Search");
builder.Services.AddSingleton(Synonyms.Load(options.SynonymsFile));
switch (options.Engine)
{
    case "lucene":
        builder.AddValidatedOptions<LuceneOptions>("Search:Lucene");
        builder.Services.AddSingleton<ISearchEngine, LuceneEngine>();
        break;
    case "postgres":
        builder.AddNpgsqlDataSource("searchdb");
        builder.Services.AddSingleton<ISearchEngine, PostgresSearchEngine>();
        break;
    case "elasticsearch":
        builder.AddElasticsearchClient("elasticsearch");
        builder.AddValidatedOptions<ElasticsearchOptions>("Search:Elasticsearch");
        // One engine per instance (it tracks a running rebuild), on the shared client.
        builder.Services.AddSingleton<ISearchEngine, ElasticsearchEngine>();
        break;
    default:
        throw new InvalidOperationException($"Search:Engine must be 'lucene', 'postgres' or 'elasticsearch', not '{options.Engine}'.");
}

var luceneDirectory = builder.Configuration["Search:Lucene:Directory"] ?? new LuceneOptions().Directory;
builder.Services.AddSingleton(new ConsumerGroupName(options.ConsumerGroup ?? DefaultGroup(options.Engine, Path.GetFullPath(luceneDirectory, builder.Environment.ContentRootPath))));
builder.Services.AddHostedService<EngineLifetime>();
builder.Services.AddSingleton(sp => new StockBook(sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>(), options.StockKey));
builder.Services.AddSingleton<SearchIndexer>();
builder.Services.AddSingleton<Rebuilder>();
builder.AddEventConsumer<CatalogEventsConsumer>();
builder.AddEventConsumer<StockEventsConsumer>();
builder.Services.AddHostedService<SearchMaintenance>();
builder.Services.AddHttpClient<CatalogFeed>(http => http.BaseAddress = new Uri(options.CatalogUrl));
builder.Services.AddHttpClient<IInventoryClient, HttpInventoryClient>(http => http.BaseAddress = new Uri(options.InventoryUrl));
builder.Services.AddOpenApi();

var app = builder.Build();

// The index (or schema) exists before the service listens: never healthy without it.
await app.Services.GetRequiredService<ISearchEngine>().InitializeAsync(CancellationToken.None);

app.UseHttpEdge();
app.MapOpenApi();
app.MapSearch();

await app.RunAsync();

static string DefaultGroup(string engine, string luceneDirectory) => engine == "lucene"
    ? $"search-lucene-{Environment.MachineName}-{(uint)StableHash(luceneDirectory):x8}"
    : $"search-{engine}";

// string.GetHashCode is randomised per process; the group must survive restarts.
static int StableHash(string text) => text.Aggregate(17, (h, c) => unchecked(h * 31 + c));

public partial class Program;
