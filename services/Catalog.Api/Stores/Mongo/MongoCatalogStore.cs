using Catalog.Api.Products;
using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;

namespace Catalog.Api.Stores.Mongo;

/// <summary>
/// The MongoDB store (<c>Catalog:Store=mongodb</c>): one document per product in <c>products</c>, events in
/// an <c>outbox</c> collection written in the same multi-document transaction — which is why it needs a
/// replica set (a single-node one is enough), as MongoDB transactions do.
/// </summary>
public sealed class MongoCatalogStore(IMongoDatabase database, TimeProvider time) : ICatalogStore
{
    public const string ProductsCollection = "products";
    public const string OutboxCollection = "outbox";

    private IMongoCollection<ProductDocument> Products => database.GetCollection<ProductDocument>(ProductsCollection);
    private IMongoCollection<OutboxDocument> Outbox => database.GetCollection<OutboxDocument>(OutboxCollection);

    /// <summary>Creates the indexes (idempotent): called at start-up, before the service reports healthy.</summary>
    public async Task EnsureIndexesAsync(CancellationToken ct)
    {
        var (missingKeys, addKeys) = MongoCatalogQueries.MissingKeys();
        await Products.UpdateManyAsync(missingKeys, addKeys, cancellationToken: ct);
        await Products.Indexes.CreateManyAsync(MongoCatalogQueries.Indexes(), ct);
        await Outbox.Indexes.CreateOneAsync(OutboxDocument.UnsentIndex(), cancellationToken: ct);
    }

    public async Task<ProductResponse?> FindAsync(Guid id, CancellationToken ct)
    {
        var doc = await Products.Find(MongoCatalogQueries.ById(id)).SingleOrDefaultAsync(ct);
        return doc?.ToResponse();
    }

    public async Task<IReadOnlyList<ProductResponse>> FindManyAsync(IReadOnlyCollection<Guid> ids, IReadOnlyCollection<string> skus, CancellationToken ct)
    {
        var docs = await Products.Find(MongoCatalogQueries.ByIdsOrSkus(ids, skus)).ToListAsync(ct);
        return docs.Select(d => d.ToResponse()).ToList();
    }

    public async Task<ProductPage> BrowseAsync(BrowseQuery query, CancellationToken ct)
    {
        var docs = await Products.Find(MongoCatalogQueries.Browse(query)).Sort(MongoCatalogQueries.BrowseSort(query.Sort))
            .Limit(query.Limit + 1).ToListAsync(ct);
        return Browse.Page(docs.Select(d => d.ToResponse()).ToList(), query);
    }

    public Task<long> CountMatchesAsync(BrowseQuery query, int max, CancellationToken ct) =>
        Products.CountDocumentsAsync(MongoCatalogQueries.Matching(query), new CountOptions { Limit = max }, ct);

    public async Task<IReadOnlyList<FacetCount>> CountByAsync(ProductFacet facet, CancellationToken ct)
    {
        var groups = await Products.Aggregate(MongoCatalogQueries.CountBy(facet), cancellationToken: ct).ToListAsync(ct);
        return groups.Select(g => new FacetCount(g["_id"].AsString, g["count"].ToInt32())).ToList();
    }

    public async Task<string?> SkuOwnerAsync(Guid exceptId, IReadOnlyCollection<string> skus, CancellationToken ct) =>
        await Products.Find(MongoCatalogQueries.SkuOwnedByOther(exceptId, skus)).Project(p => p.Sku).FirstOrDefaultAsync(ct);

    public Task<SaveResult> InsertAsync(ProductResponse product, IntegrationEvent change, CancellationToken ct) =>
        InTransactionAsync(change, async (session, token) =>
        {
            await Products.InsertOneAsync(session, ProductDocument.From(product), cancellationToken: token);
            return SaveResult.Saved;
        }, ct);

    public Task<SaveResult> ReplaceAsync(ProductResponse product, long expectedVersion, IntegrationEvent change, CancellationToken ct) =>
        InTransactionAsync(change, async (session, token) =>
        {
            var replaced = await Products.ReplaceOneAsync(session, MongoCatalogQueries.AtVersion(product.Id, expectedVersion),
                ProductDocument.From(product), cancellationToken: token);
            return replaced.MatchedCount == 1 ? SaveResult.Saved : await MissingOrStaleAsync(session, product.Id, token);
        }, ct);

    public Task<SaveResult> DeleteAsync(Guid id, long expectedVersion, IntegrationEvent change, CancellationToken ct) =>
        InTransactionAsync(change, async (session, token) =>
        {
            var deleted = await Products.DeleteOneAsync(session, MongoCatalogQueries.AtVersion(id, expectedVersion), cancellationToken: token);
            return deleted.DeletedCount == 1 ? SaveResult.Saved : await MissingOrStaleAsync(session, id, token);
        }, ct);

    public Task<long> CountAsync(CancellationToken ct) => Products.CountDocumentsAsync(FilterDefinition<ProductDocument>.Empty, cancellationToken: ct);

    /// <summary>In chunks, so a million generated products are never all in memory at once.</summary>
    public async Task InsertManyAsync(IEnumerable<ProductResponse> products, CancellationToken ct)
    {
        foreach (var chunk in products.Chunk(10_000))
        {
            await Products.InsertManyAsync(chunk.Select(ProductDocument.From), new InsertManyOptions { IsOrdered = false }, ct);
        }
    }

    /// <summary>
    /// Runs the change and, when it saved, adds its event to the outbox — both committed or neither.
    /// <c>WithTransactionAsync</c> retries transient transaction errors (a write conflict with a concurrent writer).
    /// </summary>
    private async Task<SaveResult> InTransactionAsync(IntegrationEvent change,
        Func<IClientSessionHandle, CancellationToken, Task<SaveResult>> write, CancellationToken ct)
    {
        using var session = await database.Client.StartSessionAsync(cancellationToken: ct);
        try
        {
            return await session.WithTransactionAsync(async (s, token) =>
            {
                var result = await write(s, token);
                if (result == SaveResult.Saved)
                {
                    await Outbox.InsertOneAsync(s, OutboxDocument.For(change, time.GetUtcNow()), cancellationToken: token);
                }

                return result;
            }, cancellationToken: ct);
        }
        catch (MongoWriteException ex) when (ex.WriteError?.Category == ServerErrorCategory.DuplicateKey)
        {
            return SaveResult.SkuTaken;
        }
        catch (MongoCommandException ex) when (ex.Code == 11000)
        {
            return SaveResult.SkuTaken;
        }
    }

    private async Task<SaveResult> MissingOrStaleAsync(IClientSessionHandle session, Guid id, CancellationToken ct) =>
        await Products.CountDocumentsAsync(session, MongoCatalogQueries.ById(id), cancellationToken: ct) == 0 ? SaveResult.NotFound : SaveResult.Stale;
}

/// <summary>An event waiting in MongoDB's outbox collection; ids are v7 UUIDs, so <c>_id</c> order is write order.</summary>
public sealed class OutboxDocument
{
    [BsonId, BsonGuidRepresentation(GuidRepresentation.Standard)]
    public Guid Id { get; set; }

    [BsonElement("stream")] public string Stream { get; set; } = "";
    [BsonElement("type")] public string Type { get; set; } = "";
    [BsonElement("payload")] public string Payload { get; set; } = "";

    [BsonElement("occurredAt"), BsonRepresentation(BsonType.DateTime)]
    public DateTimeOffset OccurredAt { get; set; }

    [BsonElement("sentAt"), BsonRepresentation(BsonType.DateTime)]
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>W3C trace context the event was written under (absent on documents written before it was kept).</summary>
    [BsonElement("traceparent"), BsonIgnoreIfNull] public string? TraceParent { get; set; }
    [BsonElement("tracestate"), BsonIgnoreIfNull] public string? TraceState { get; set; }

    public static OutboxDocument For(IntegrationEvent e, DateTimeOffset now)
    {
        var message = OutboxModel.Create(EventStreams.Catalog, e, now);
        return new OutboxDocument
        {
            Id = message.Id, Stream = message.Stream, Type = message.Type, Payload = message.Payload, OccurredAt = now,
            TraceParent = message.TraceParent, TraceState = message.TraceState,
        };
    }

    public OutboxMessage ToMessage() => new()
    {
        Id = Id, Stream = Stream, Type = Type, Payload = Payload, OccurredAt = OccurredAt, TraceParent = TraceParent, TraceState = TraceState,
    };

    public static FilterDefinition<OutboxDocument> Unsent => Builders<OutboxDocument>.Filter.Eq(d => d.SentAt, null);

    public static CreateIndexModel<OutboxDocument> UnsentIndex() =>
        new(Builders<OutboxDocument>.IndexKeys.Ascending(d => d.SentAt).Ascending(d => d.Id), new CreateIndexOptions { Name = "ix_unsent" });
}
