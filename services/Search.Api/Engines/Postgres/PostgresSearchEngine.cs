using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Search.Api.Search;

namespace Search.Api.Engines.Postgres;

/// <summary>
/// The single-database baseline: PostgreSQL full-text search in the search service's own database.
/// A weighted <c>tsvector</c> (name A, brand/category B, description/attributes C) with a GIN index,
/// <c>ts_rank</c> for relevance, synonyms expanded into the <c>tsquery</c>, and <c>pg_trgm</c> word
/// similarity when the exact words find nothing. Facets are GROUP BYs over the matched set.
/// </summary>
public sealed partial class PostgresSearchEngine(NpgsqlDataSource dataSource, Synonyms synonyms, ILogger<PostgresSearchEngine> logger) : ISearchEngine
{
    public const string Table = "search_products";
    private readonly NpgsqlDataSource _db = dataSource;
    private readonly ILogger _logger = logger;
    private string? _building;

    public string Name => "postgres";

    public async Task InitializeAsync(CancellationToken ct)
    {
        await using var command = _db.CreateCommand(Schema(Table));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The table and its indexes; idempotent. Tombstones are rows with <c>live = false</c> that keep the version.</summary>
    public static string Schema(string table) => $"""
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE TABLE IF NOT EXISTS {table} (
            id uuid PRIMARY KEY,
            version bigint NOT NULL,
            live boolean NOT NULL,
            sku text, skus text[], name text, brand text, category text, description text, attributes_text text,
            price numeric(18,2), currency text, in_stock boolean, created_at timestamptz,
            search_text text GENERATED ALWAYS AS (lower(coalesce(name, '') || ' ' || coalesce(brand, '') || ' ' || coalesce(category, ''))) STORED,
            tsv tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('english', coalesce(name, '')), 'A') ||
                setweight(to_tsvector('english', coalesce(brand, '') || ' ' || coalesce(category, '')), 'B') ||
                setweight(to_tsvector('english', coalesce(description, '') || ' ' || coalesce(attributes_text, '')), 'C')) STORED);
        CREATE INDEX IF NOT EXISTS {table}_tsv ON {table} USING gin (tsv) WHERE live;
        CREATE INDEX IF NOT EXISTS {table}_trgm ON {table} USING gin (search_text gin_trgm_ops) WHERE live;
        CREATE INDEX IF NOT EXISTS {table}_suggest ON {table} USING gin ((' ' || lower(name)) gin_trgm_ops) WHERE live;
        CREATE INDEX IF NOT EXISTS {table}_skus ON {table} USING gin (skus) WHERE live;
        CREATE INDEX IF NOT EXISTS {table}_price ON {table} (price, id) WHERE live;
        CREATE INDEX IF NOT EXISTS {table}_created ON {table} (created_at DESC, id) WHERE live;
        """;

    public async Task<bool> UpsertAsync(SearchDocument document, CancellationToken ct)
    {
        var applied = await UpsertIntoAsync(Table, document, ct);
        if (_building is { } building) await UpsertIntoAsync(building, document, ct);
        return applied;
    }

    private async Task<bool> UpsertIntoAsync(string table, SearchDocument d, CancellationToken ct)
    {
        await using var command = _db.CreateCommand($"""
            INSERT INTO {table} (id, version, live, sku, skus, name, brand, category, description, attributes_text, price, currency, in_stock, created_at)
            VALUES ($1, $2, true, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, live = true, sku = EXCLUDED.sku, skus = EXCLUDED.skus, name = EXCLUDED.name,
                brand = EXCLUDED.brand, category = EXCLUDED.category, description = EXCLUDED.description, attributes_text = EXCLUDED.attributes_text,
                price = EXCLUDED.price, currency = EXCLUDED.currency, in_stock = EXCLUDED.in_stock, created_at = EXCLUDED.created_at
            WHERE {table}.version < EXCLUDED.version
            """);
        command.Parameters.Add(new() { Value = d.Id });
        command.Parameters.Add(new() { Value = d.Version });
        command.Parameters.Add(new() { Value = d.Sku });
        command.Parameters.Add(new() { Value = d.Skus.ToArray() });
        command.Parameters.Add(new() { Value = d.Name });
        command.Parameters.Add(new() { Value = d.Brand });
        command.Parameters.Add(new() { Value = d.Category });
        command.Parameters.Add(new() { Value = d.Description });
        command.Parameters.Add(new() { Value = d.AttributesText });
        command.Parameters.Add(new() { Value = d.Price });
        command.Parameters.Add(new() { Value = d.Currency });
        command.Parameters.Add(new() { Value = d.InStock });
        command.Parameters.Add(new() { Value = d.CreatedAt.ToUniversalTime() });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<bool> DeleteAsync(Guid id, long version, CancellationToken ct)
    {
        var applied = await DeleteFromAsync(Table, id, version, ct);
        if (_building is { } building) await DeleteFromAsync(building, id, version, ct);
        return applied;
    }

    private async Task<bool> DeleteFromAsync(string table, Guid id, long version, CancellationToken ct)
    {
        await using var command = _db.CreateCommand($"""
            INSERT INTO {table} (id, version, live) VALUES ($1, $2, false)
            ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, live = false,
                sku = NULL, skus = NULL, name = NULL, brand = NULL, category = NULL, description = NULL, attributes_text = NULL, price = NULL
            WHERE {table}.version < EXCLUDED.version
            """);
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = version });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<SearchDocument?> FindBySkuAsync(string sku, CancellationToken ct)
    {
        await using var command = _db.CreateCommand($"""
            SELECT id, version, sku, skus, name, brand, category, description, attributes_text, price, currency, in_stock, created_at
            FROM {Table} WHERE live AND skus @> ARRAY[$1] LIMIT 1
            """);
        command.Parameters.Add(new() { Value = sku });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new SearchDocument(reader.GetGuid(0), reader.GetString(2), reader.GetFieldValue<string[]>(3), reader.GetString(4), reader.GetString(5),
                reader.GetString(6), reader.GetString(7), reader.GetString(8), reader.GetDecimal(9), reader.GetString(10), reader.GetBoolean(11),
                reader.GetFieldValue<DateTimeOffset>(12), reader.GetInt64(1))
            : null;
    }

    public async Task SetInStockAsync(Guid id, bool inStock, CancellationToken ct)
    {
        foreach (var table in _building is { } building ? new[] { Table, building } : [Table])
        {
            await using var command = _db.CreateCommand($"UPDATE {table} SET in_stock = $2 WHERE id = $1 AND live AND in_stock IS DISTINCT FROM $2");
            command.Parameters.Add(new() { Value = id });
            command.Parameters.Add(new() { Value = inStock });
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    public async Task<IReadOnlyDictionary<Guid, long>> VersionsAsync(CancellationToken ct)
    {
        var versions = new Dictionary<Guid, long>();
        await using var command = _db.CreateCommand($"SELECT id, version FROM {Table} WHERE live");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) versions[reader.GetGuid(0)] = reader.GetInt64(1);
        return versions;
    }

    /// <summary>Nothing to do: every write is its own committed statement.</summary>
    public Task FlushAsync(CancellationToken ct) => Task.CompletedTask;

    public async Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var words = PostgresQueries.Words(query.Text);
        var result = await RunAsync(query, words, fuzzy: false, ct);
        if (result.Total == 0 && words.Count > 0)
        {
            // Typo tolerance: only when the exact words find nothing (as the other engines do).
            result = await RunAsync(query, words, fuzzy: true, ct);
            result = result with { DidYouMean = DidYouMean.From(query.Text, result.Items) };
        }

        return result with { TookMs = clock.Elapsed.TotalMilliseconds };
    }

    private async Task<SearchResult> RunAsync(SearchQuery query, IReadOnlyList<string> words, bool fuzzy, CancellationToken ct)
    {
        var (sql, parameters) = PostgresQueries.Search(Table, query, words, synonyms, fuzzy);
        await using var connection = await _db.OpenConnectionAsync(ct);
        if (fuzzy)
        {
            await using var set = new NpgsqlCommand("SET pg_trgm.word_similarity_threshold = 0.4", connection);
            await set.ExecuteNonQueryAsync(ct);
        }

        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters) command.Parameters.Add(p);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var total = reader.GetInt64(0);
        var hits = JsonSerializer.Deserialize(reader.GetString(1), PostgresJson.Default.ListHitRow)!
            .Select(h => new SearchHit(h.Id, h.Sku, h.Name, h.Brand, h.Category, h.Price, h.Currency, h.InStock, h.Highlight, h.Score)).ToList();
        var brands = JsonSerializer.Deserialize(reader.GetString(2), PostgresJson.Default.ListFacetRow)!;
        var categories = JsonSerializer.Deserialize(reader.GetString(3), PostgresJson.Default.ListFacetRow)!;
        var buckets = new long[PriceBuckets.Edges.Length];
        foreach (var bucket in JsonSerializer.Deserialize(reader.GetString(4), PostgresJson.Default.ListFacetRow)!)
        {
            buckets[int.Parse(bucket.V, CultureInfo.InvariantCulture)] = bucket.C;
        }

        return new SearchResult(total, hits, new SearchFacets(
            PriceBuckets.Top(brands.Select(b => new FacetValue(b.V, b.C))),
            PriceBuckets.Top(categories.Select(c => new FacetValue(c.V, c.C))),
            PriceBuckets.ToBuckets(buckets)), 0);
    }

    public async Task<IReadOnlyList<string>> SuggestAsync(string prefix, int limit, CancellationToken ct)
    {
        prefix = SearchText.Clean(prefix).ToLowerInvariant();
        if (prefix.Length == 0) return [];
        var pattern = "% " + PostgresQueries.EscapeLike(prefix) + "%";
        await using var command = _db.CreateCommand($"""
            SELECT name FROM (SELECT DISTINCT name FROM {Table} WHERE live AND (' ' || lower(name)) LIKE $1 LIMIT 200) candidates
            ORDER BY lower(name) LIKE $2 DESC, name LIMIT $3
            """);
        command.Parameters.Add(new() { Value = pattern });
        command.Parameters.Add(new() { Value = PostgresQueries.EscapeLike(prefix) + "%" });
        command.Parameters.Add(new() { Value = limit });
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) names.Add(reader.GetString(0));
        return names;
    }

    public async Task<IReindex> BeginReindexAsync(CancellationToken ct)
    {
        if (_building is not null) throw new InvalidOperationException("A reindex is already running.");
        var table = $"{Table}_{DateTime.UtcNow:yyyyMMddHHmmss}";
        await using (var command = _db.CreateCommand($"DROP TABLE IF EXISTS {table}; " + Schema(table)))
        {
            await command.ExecuteNonQueryAsync(ct);
        }

        _building = table;
        return new Reindex(this, table);
    }

    private sealed class Reindex(PostgresSearchEngine engine, string table) : IReindex
    {
        private bool _swapped;

        public async Task AddAsync(IReadOnlyList<SearchDocument> documents, CancellationToken ct)
        {
            // One binary COPY into a staging table, then one guarded upsert: live writes that landed meanwhile keep their newer versions.
            await using var connection = await engine._db.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await using (var create = new NpgsqlCommand($"CREATE TEMP TABLE staging (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP", connection, tx))
            {
                await create.ExecuteNonQueryAsync(ct);
            }

            await using (var copy = await connection.BeginBinaryImportAsync(
                "COPY staging (id, version, live, sku, skus, name, brand, category, description, attributes_text, price, currency, in_stock, created_at) FROM STDIN (FORMAT BINARY)", ct))
            {
                foreach (var d in documents)
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(d.Id, NpgsqlDbType.Uuid, ct);
                    await copy.WriteAsync(d.Version, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(true, NpgsqlDbType.Boolean, ct);
                    await copy.WriteAsync(d.Sku, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(d.Skus.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(d.Name, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(d.Brand, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(d.Category, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(d.Description, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(d.AttributesText, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(d.Price, NpgsqlDbType.Numeric, ct);
                    await copy.WriteAsync(d.Currency, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(d.InStock, NpgsqlDbType.Boolean, ct);
                    await copy.WriteAsync(d.CreatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
                }

                await copy.CompleteAsync(ct);
            }

            await using (var merge = new NpgsqlCommand($"""
                INSERT INTO {table} (id, version, live, sku, skus, name, brand, category, description, attributes_text, price, currency, in_stock, created_at)
                SELECT id, version, live, sku, skus, name, brand, category, description, attributes_text, price, currency, in_stock, created_at FROM staging
                ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, live = EXCLUDED.live, sku = EXCLUDED.sku, skus = EXCLUDED.skus,
                    name = EXCLUDED.name, brand = EXCLUDED.brand, category = EXCLUDED.category, description = EXCLUDED.description,
                    attributes_text = EXCLUDED.attributes_text, price = EXCLUDED.price, currency = EXCLUDED.currency, in_stock = EXCLUDED.in_stock,
                    created_at = EXCLUDED.created_at
                WHERE {table}.version < EXCLUDED.version
                """, connection, tx))
            {
                await merge.ExecuteNonQueryAsync(ct);
            }

            await tx.CommitAsync(ct);
        }

        /// <summary>Renames in one transaction; a query waiting on the lock re-resolves the name and reads the new table.</summary>
        public async Task SwapAsync(CancellationToken ct)
        {
            await using var command = engine._db.CreateCommand($"""
                BEGIN;
                ALTER TABLE {Table} RENAME TO {Table}_retired;
                ALTER TABLE {table} RENAME TO {Table};
                DROP TABLE {Table}_retired;
                ALTER INDEX {table}_tsv RENAME TO {Table}_tsv;
                ALTER INDEX {table}_trgm RENAME TO {Table}_trgm;
                ALTER INDEX {table}_suggest RENAME TO {Table}_suggest;
                ALTER INDEX {table}_skus RENAME TO {Table}_skus;
                ALTER INDEX {table}_price RENAME TO {Table}_price;
                ALTER INDEX {table}_created RENAME TO {Table}_created;
                COMMIT;
                """);
            await command.ExecuteNonQueryAsync(ct);
            engine._building = null;
            _swapped = true;
            LogSwapped(engine._logger, table);
        }

        public async ValueTask DisposeAsync()
        {
            if (_swapped) return;
            engine._building = null;
            await using var command = engine._db.CreateCommand($"DROP TABLE IF EXISTS {table}");
            await command.ExecuteNonQueryAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Search table rebuilt as {Table} and swapped in")]
    private static partial void LogSwapped(ILogger logger, string table);
}
