using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Ordering.Api.Infrastructure;

namespace Ordering.Api.Orders;

/// <summary>One customer's Idempotency-Key for a checkout, and the hash of the request it protects.</summary>
public sealed record CheckoutKey(Guid CustomerId, string Key, string RequestHash, string LegacyRequestHash)
{
    /// <summary>The stored request is this one: by the canonical hash, or by the older joined form for keys stored before it.</summary>
    public bool Protects(string storedHash) => storedHash == RequestHash || storedHash == LegacyRequestHash;
}

/// <summary>
/// The <c>idempotency_keys</c> rows. A checkout claims its key in the transaction that places the order, so concurrent
/// requests with the same key queue on the key's row and exactly one order is created.
/// </summary>
public static class CheckoutKeys
{
    /// <returns>False when another request holds the key: it committed first, or committed while this one waited on its row.</returns>
    public static async Task<bool> ClaimAsync(OrderingDb db, CheckoutKey key, DateTimeOffset now, CancellationToken ct) =>
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO idempotency_keys (customer_id, key, request_hash, created_at)
            VALUES ({key.CustomerId}, {key.Key}, {key.RequestHash}, {now}) ON CONFLICT DO NOTHING
            """, ct) == 1;

    /// <summary>Stores the order and its first answer under the claimed key (the answer is kept for an order that cannot be read back).</summary>
    public static async Task RecordAsync(OrderingDb db, CheckoutKey key, Order order, CancellationToken ct)
    {
        var body = JsonSerializer.Serialize(OrderResponse.From(order), OrderJson.Default.OrderResponse);
        await db.Database.ExecuteSqlAsync(
            $"UPDATE idempotency_keys SET order_id = {order.Id}, response_body = {body}::jsonb WHERE customer_id = {key.CustomerId} AND key = {key.Key}", ct);
    }

    public static Task<IdempotencyRecord?> FindAsync(OrderingDb db, CheckoutKey key, CancellationToken ct) =>
        db.IdempotencyRecords.AsNoTracking().SingleOrDefaultAsync(r => r.CustomerId == key.CustomerId && r.Key == key.Key, ct);
}
