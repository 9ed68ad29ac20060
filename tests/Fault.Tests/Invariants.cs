using System.Diagnostics;
using System.Text;
using Npgsql;
using StackExchange.Redis;

namespace Fault.Tests;

/// <summary>What the stores say after a run (never the responses): the counts of the closing table and every violation.</summary>
public sealed record Verdict(int OrdersAnswered2xx, int OrdersLost, int Duplicates, int UnansweredOrders, int UnansweredReplayed,
    int StockDrift, int OutboxUnsent, long PendingEntries, int ProjectionsBehind, double ConvergedAfterSeconds, IReadOnlyList<string> Violations,
    int Charged = 0, int Refunded = 0, int PaymentViolations = 0, int ReadModelsBehind = 0, string SlowestToConverge = "")
{
    public override string ToString()
    {
        var text = new StringBuilder()
            .Append($"orders 2xx {OrdersAnswered2xx}, lost {OrdersLost}, duplicates {Duplicates}, stored without a 2xx {UnansweredOrders} ")
            .Append($"(replayed to it {UnansweredReplayed}), stock drift {StockDrift}, outbox unsent {OutboxUnsent}, ")
            .Append($"stream entries pending {PendingEntries}, projections behind {ProjectionsBehind}, search/carts behind {ReadModelsBehind}, ")
            .Append($"charged {Charged} (refunded {Refunded}), payment violations {PaymentViolations}, converged after {ConvergedAfterSeconds:0.0} s (slowest: {SlowestToConverge})");
        foreach (var v in Violations.Take(20))
        {
            text.Append("\n  - ").Append(v);
        }

        return text.ToString();
    }
}

public static class Invariants
{
    /// <summary>
    /// Waits (polling, up to <paramref name="convergeWithin"/>) for the outbox to drain, every consumer group to have
    /// nothing pending or unread and the order projection to catch up, then checks the orders and the stock of this run.
    /// </summary>
    public static async Task<Verdict> CheckAsync(FaultPlatform platform, Catalog catalog, IReadOnlyList<Sample> samples,
        TimeSpan convergeWithin, CancellationToken ct)
    {
        var violations = new List<string>();
        var skus = catalog.Products.Select(p => p.Sku).ToArray();
        var customers = samples.Select(s => s.Customer).Distinct().ToArray();
        await using var data = NpgsqlDataSource.Create(platform.OrderingDb + ";Pooling=true;Timeout=5;Command Timeout=15");
        await using var payments = NpgsqlDataSource.Create(platform.PaymentDb + ";Pooling=true;Timeout=5;Command Timeout=15");
        await using var catalogDb = NpgsqlDataSource.Create(platform.CatalogDb + ";Pooling=true;Timeout=5;Command Timeout=15");
        NpgsqlDataSource[] outboxes = [data, catalogDb, payments];
        using var redis = await ConnectionMultiplexer.ConnectAsync(platform.Redis + ",abortConnect=false,connectTimeout=5000");

        // 1. Convergence: every outbox drained, streams consumed (also what a killed consumer left pending), the order
        // projection caught up, payments settled and consistent with the orders, search and carts caught up.
        var clock = Stopwatch.StartNew();
        (int Unsent, long Pending, int Behind) state = (-1, -1, -1);
        PaymentChecks.Result? paid = null;
        List<string> readModels = [];
        var lastBehind = new Dictionary<string, double>();
        while (true)
        {
            var unsent = 0;
            foreach (var outbox in outboxes)
            {
                var n = await UnsentAsync(outbox, ct);
                unsent = n < 0 || unsent < 0 ? -1 : unsent + n;
            }

            state = (unsent, await PendingAsync(redis), await ProjectionsBehindAsync(data, customers, ct));
            paid = await TryAsync(() => PaymentChecks.CheckAsync(payments, data, customers, ct));
            readModels = [.. await ReadModelChecks.SearchMismatchesAsync(platform, catalog, data, ct), .. await ReadModelChecks.CartsNotDroppedAsync(platform, samples, ct)];
            var settled = paid is { Unsettled: 0, Violations.Count: 0 };
            // When each part was last seen behind: the closing table names the slowest.
            foreach (var (part, behind) in new[] { ("outbox", state.Unsent != 0), ("streams", state.Pending != 0), ("order projection", state.Behind != 0),
                         ("payments", !settled), ("search", readModels.Any(r => !r.StartsWith("cart ", StringComparison.Ordinal))), ("carts", readModels.Any(r => r.StartsWith("cart ", StringComparison.Ordinal))) })
            {
                if (behind) lastBehind[part] = clock.Elapsed.TotalSeconds;
            }

            if (state is { Unsent: 0, Pending: 0, Behind: 0 } && settled && readModels.Count == 0 || clock.Elapsed > convergeWithin)
            {
                break;
            }

            await Task.Delay(500, ct);
        }

        var converged = clock.Elapsed.TotalSeconds;
        if (state.Unsent != 0) violations.Add($"{state.Unsent} outbox rows still unsent (-1: unreadable) after {convergeWithin.TotalSeconds:0} s");
        if (state.Pending != 0) violations.Add($"{state.Pending} stream entries still pending or unread (-1: unreadable) after {convergeWithin.TotalSeconds:0} s");
        if (state.Behind > 0) violations.Add($"{state.Behind} order summaries do not match their event stream after {convergeWithin.TotalSeconds:0} s: " +
            await ProjectionDetailsAsync(data, customers, ct));
        if (paid is null) violations.Add("the payments database could not be read");
        else
        {
            violations.AddRange(paid.Violations);
            if (paid.Unsettled > 0) violations.Add($"{paid.Unsettled} payment attempts or refunds still pending after {convergeWithin.TotalSeconds:0} s");
        }

        violations.AddRange(readModels.Select(r => $"read model behind after {convergeWithin.TotalSeconds:0} s: {r}"));

        // 2. Every order answered 2xx exists exactly once (one OrderPlaced in its stream, one stream per answer).
        var answered = samples.Where(s => s is { Op: "checkout", OrderId: not null }).ToList();
        var placed = await PlacedAsync(data, customers, ct); // stream id -> OrderPlaced count
        var lost = 0;
        var duplicates = 0;
        foreach (var order in answered)
        {
            if (!placed.TryGetValue(order.OrderId!.Value, out var count))
            {
                lost++;
                violations.Add($"order {order.OrderId} was answered {order.Status} but is not in order_events");
            }
            else if (count != 1)
            {
                duplicates++;
                violations.Add($"order {order.OrderId} has {count} OrderPlaced events");
            }
        }

        var byKey = answered.GroupBy(s => s.Key).Where(g => g.Select(s => s.OrderId).Distinct().Count() > 1).ToList();
        duplicates += byKey.Count;
        violations.AddRange(byKey.Select(g => $"idempotency key {g.Key} answered with {g.Count()} different orders"));

        // 3. No order without a 2xx answer, unless its idempotency key replays to it.
        var answeredIds = answered.Select(s => s.OrderId!.Value).ToHashSet();
        var unanswered = placed.Keys.Where(id => !answeredIds.Contains(id)).ToList();
        var replayed = 0;
        if (unanswered.Count > 0)
        {
            var keys = await KeysAsync(data, unanswered, ct);
            foreach (var id in unanswered)
            {
                var sent = keys.TryGetValue(id, out var key) ? samples.FirstOrDefault(s => s.Op == "checkout" && s.Key == key) : null;
                if (sent is null)
                {
                    violations.Add($"order {id} exists but no request of this run carried its idempotency key");
                    continue;
                }

                using var client = platform.CreateClient(TestTokens.Customer(sent.Customer), TimeSpan.FromSeconds(15));
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = new StringContent(sent.Body!, Encoding.UTF8, "application/json") };
                request.Headers.Add("Idempotency-Key", sent.Key);
                using var response = await client.SendAsync(request, ct);
                var text = await response.Content.ReadAsStringAsync(ct);
                if (response.IsSuccessStatusCode && text.Contains(id.ToString(), StringComparison.OrdinalIgnoreCase))
                {
                    replayed++;
                }
                else
                {
                    violations.Add($"order {id} (key {sent.Key}, first answered {sent.Status}) does not replay to itself: {(int)response.StatusCode} {text}");
                }
            }
        }

        // 4. Stock: initial = on hand + shipped, reserved = the live orders' active reservations, never negative.
        var drift = 0;
        foreach (var problem in await StockProblemsAsync(data, skus, catalog.StockEach, ct))
        {
            drift++;
            violations.Add(problem);
        }

        return new Verdict(answered.Count, lost, duplicates, unanswered.Count, replayed, drift, state.Unsent, state.Pending, state.Behind, converged, violations,
            paid?.Charged ?? 0, paid?.Refunded ?? 0, paid is null ? 1 : paid.Violations.Count + paid.Unsettled, readModels.Count,
            lastBehind.Count == 0 ? "" : lastBehind.MaxBy(kv => kv.Value).Key);
    }

    private static async Task<T?> TryAsync<T>(Func<Task<T>> read) where T : class
    {
        try
        {
            return await read();
        }
        catch (NpgsqlException)
        {
            return null; // the store is not back yet: not converged
        }
    }

    private static async Task<int> UnsentAsync(NpgsqlDataSource data, CancellationToken ct)
    {
        try
        {
            await using var command = data.CreateCommand("SELECT count(*) FROM outbox WHERE sent_at IS NULL");
            return Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (NpgsqlException)
        {
            return -1; // the store is not back yet: not converged
        }
    }

    /// <summary>For every consumer group of every event stream: entries pending (delivered, not acknowledged) plus entries not yet read.</summary>
    private static async Task<long> PendingAsync(ConnectionMultiplexer redis)
    {
        try
        {
            var db = redis.GetDatabase();
            var server = redis.GetServers()[0];
            long total = 0;
            await foreach (var key in server.KeysAsync(pattern: "events:*"))
            {
                if (await db.KeyTypeAsync(key) != RedisType.Stream || key.ToString().Contains("dead", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (var group in await db.StreamGroupInfoAsync(key))
                {
                    total += group.PendingMessageCount + (group.Lag ?? 0);
                }
            }

            return total;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return -1;
        }
    }

    private static async Task<int> ProjectionsBehindAsync(NpgsqlDataSource data, Guid[] customers, CancellationToken ct)
    {
        try
        {
            // An order's summary must exist and carry the version of its stream's last event.
            await using var command = data.CreateCommand("""
                SELECT count(*) FROM (
                  SELECT e.stream_id, max(e.version) AS v FROM order_events e
                  WHERE e.stream_id IN (SELECT stream_id FROM order_events WHERE type = 'OrderPlaced' AND (data->>'customerId')::uuid = ANY($1)
                                        UNION SELECT order_id FROM order_summaries WHERE customer_id = ANY($1))
                  GROUP BY e.stream_id) s
                LEFT JOIN order_summaries o ON o.order_id = s.stream_id
                WHERE o.order_id IS NULL OR o.version <> s.v
                """);
            command.Parameters.AddWithValue(customers);
            return Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (NpgsqlException)
        {
            return -1;
        }
    }

    private static async Task<string> ProjectionDetailsAsync(NpgsqlDataSource data, Guid[] customers, CancellationToken ct)
    {
        await using var command = data.CreateCommand("""
            SELECT e.stream_id, e.version, e.type, e.position, e.transaction_id::text, o.version, o.status,
              (SELECT position FROM projection_checkpoints LIMIT 1), pg_snapshot_xmin(pg_current_snapshot())::text,
              (SELECT string_agg(pid || ':' || state || ':' || coalesce(backend_xid::text, '-') || ':' || coalesce(xact_start::text, '-'), ' ') FROM pg_stat_activity WHERE backend_xid IS NOT NULL)
            FROM order_events e LEFT JOIN order_summaries o ON o.order_id = e.stream_id
            WHERE e.stream_id IN (SELECT stream_id FROM order_events WHERE type = 'OrderPlaced' AND (data->>'customerId')::uuid = ANY($1))
              AND (o.order_id IS NULL OR o.version < e.version)
            ORDER BY e.position
            """);
        command.Parameters.AddWithValue(customers);
        var text = new StringBuilder();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"[{reader.GetGuid(0)} v{reader.GetInt32(1)} {reader.GetString(2)} pos {reader.GetInt64(3)} xid {reader.GetString(4)}; ")
                .Append(System.Globalization.CultureInfo.InvariantCulture, $"summary v{(reader.IsDBNull(5) ? "-" : reader.GetInt32(5).ToString(System.Globalization.CultureInfo.InvariantCulture))} {(reader.IsDBNull(6) ? "-" : reader.GetString(6))}; ")
                .Append(System.Globalization.CultureInfo.InvariantCulture, $"checkpoint {(reader.IsDBNull(7) ? "-" : reader.GetInt64(7).ToString(System.Globalization.CultureInfo.InvariantCulture))}, xmin {reader.GetString(8)}, xids held {(reader.IsDBNull(9) ? "none" : reader.GetString(9))}] ");
        }

        return text.ToString();
    }

    /// <summary>Every order stream of this run's customers (from the events themselves) and how many OrderPlaced it holds.</summary>
    private static async Task<Dictionary<Guid, int>> PlacedAsync(NpgsqlDataSource data, Guid[] customers, CancellationToken ct)
    {
        await using var command = data.CreateCommand("""
            SELECT stream_id, count(*) FILTER (WHERE type = 'OrderPlaced') FROM order_events
            WHERE stream_id IN (SELECT stream_id FROM order_events WHERE type = 'OrderPlaced' AND (data->>'customerId')::uuid = ANY($1))
            GROUP BY stream_id
            """);
        command.Parameters.AddWithValue(customers);
        var result = new Dictionary<Guid, int>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result[reader.GetGuid(0)] = (int)reader.GetInt64(1);
        }

        return result;
    }

    private static async Task<Dictionary<Guid, string>> KeysAsync(NpgsqlDataSource data, List<Guid> orders, CancellationToken ct)
    {
        await using var command = data.CreateCommand("SELECT order_id, key FROM idempotency_keys WHERE order_id = ANY($1)");
        command.Parameters.AddWithValue(orders.ToArray());
        var result = new Dictionary<Guid, string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result[reader.GetGuid(0)] = reader.GetString(1);
        }

        return result;
    }

    private static async Task<List<string>> StockProblemsAsync(NpgsqlDataSource data, string[] skus, int initial, CancellationToken ct)
    {
        var problems = new List<string>();
        await using var command = data.CreateCommand("""
            SELECT s.sku, s.on_hand, s.reserved,
              (SELECT coalesce(sum(quantity), 0) FROM reservations r WHERE r.sku = s.sku AND r.warehouse = s.warehouse AND r.status = 'Active'),
              (SELECT coalesce(sum(quantity), 0) FROM reservations r WHERE r.sku = s.sku AND r.warehouse = s.warehouse AND r.status = 'Fulfilled'),
              (SELECT count(*) FROM reservations r WHERE r.sku = s.sku AND r.status = 'Active'
                 AND EXISTS (SELECT 1 FROM order_events e WHERE e.stream_id = r.order_id AND e.type = 'OrderCancelled')),
              (SELECT count(*) FROM order_events e WHERE e.type = 'OrderPlaced' AND e.data::text LIKE '%' || s.sku || '%'
                 AND NOT EXISTS (SELECT 1 FROM order_events c WHERE c.stream_id = e.stream_id AND c.type = 'OrderCancelled')
                 AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.order_id = e.stream_id AND r.sku = s.sku AND r.status IN ('Active', 'Fulfilled')))
            FROM stock s WHERE s.sku = ANY($1)
            """);
        command.Parameters.AddWithValue(skus);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var seen = 0;
        while (await reader.ReadAsync(ct))
        {
            seen++;
            var (sku, onHand, reserved, active, shipped, cancelledHeld, liveUnheld) = (reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2),
                reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6));
            if (onHand < 0 || reserved < 0 || reserved > onHand) problems.Add($"{sku}: on hand {onHand}, reserved {reserved}");
            if (onHand + shipped != initial) problems.Add($"{sku}: on hand {onHand} + shipped {shipped} != initial {initial}");
            if (reserved != active) problems.Add($"{sku}: reserved {reserved} but active reservations hold {active}");
            if (cancelledHeld > 0) problems.Add($"{sku}: {cancelledHeld} reservations still active for cancelled orders");
            if (liveUnheld > 0) problems.Add($"{sku}: {liveUnheld} live orders hold no reservation");
        }

        if (seen != skus.Length) problems.Add($"{skus.Length - seen} skus of this run have no stock row");
        return problems;
    }
}
