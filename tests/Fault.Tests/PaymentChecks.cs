using Npgsql;

namespace Fault.Tests;

/// <summary>
/// Payments against orders, read from both services' databases (never from answers): no charge without a paid order,
/// no paid order without a charge, no cancelled or expired order still charged, no charge the provider made that no
/// attempt accounts for, and nothing left pending once the run has settled.
/// </summary>
public static class PaymentChecks
{
    public sealed record Result(int Charged, int Refunded, int Unsettled, List<string> Violations);

    public static async Task<Result> CheckAsync(NpgsqlDataSource payments, NpgsqlDataSource ordering, Guid[] customers, CancellationToken ct)
    {
        var violations = new List<string>();
        var attempts = new List<(Guid Id, Guid Order, string Status)>();
        await using (var command = payments.CreateCommand("SELECT id, order_id, status FROM payments WHERE customer_id = ANY($1)"))
        {
            command.Parameters.AddWithValue(customers);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                attempts.Add((reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2)));
            }
        }

        var orders = new Dictionary<Guid, HashSet<string>>();
        await using (var command = ordering.CreateCommand("""
            SELECT stream_id, type FROM order_events
            WHERE stream_id IN (SELECT stream_id FROM order_events WHERE type = 'OrderPlaced' AND (data->>'customerId')::uuid = ANY($1))
            """))
        {
            command.Parameters.AddWithValue(customers);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetGuid(0);
                (orders.TryGetValue(id, out var types) ? types : orders[id] = []).Add(reader.GetString(1));
            }
        }

        var ids = attempts.Select(a => a.Id.ToString()).ToArray();
        var providerCharges = await KeysAsync(payments, "SELECT idempotency_key FROM simulated_provider.charges WHERE idempotency_key = ANY($1)", ids, ct);
        var pendingRefunds = await KeysAsync(payments, "SELECT p.id::text FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE r.status = 'Pending' AND p.id::text = ANY($1)", ids, ct);

        foreach (var group in attempts.GroupBy(a => a.Order))
        {
            var live = group.Where(a => a.Status is "Pending" or "Succeeded" or "Refunded").ToList();
            if (live.Count > 1) violations.Add($"order {group.Key} has {live.Count} live payment attempts");
            var events = orders.GetValueOrDefault(group.Key) ?? [];
            var ended = events.Contains("OrderCancelled"); // an expiry is an OrderCancelled too (reason "expired")
            foreach (var a in group)
            {
                if (a.Status == "Succeeded" && !events.Contains("OrderPaid")) violations.Add($"payment {a.Id} succeeded but order {a.Order} was never paid");
                if (a.Status == "Succeeded" && ended) violations.Add($"payment {a.Id} is still charged but order {a.Order} was cancelled");
                if (a.Status == "Refunded" && !ended) violations.Add($"payment {a.Id} was refunded but order {a.Order} was never cancelled");
                if (a.Status is "Succeeded" or "Refunded" && !providerCharges.Contains(a.Id.ToString())) violations.Add($"payment {a.Id} is {a.Status} but the provider never charged it");
                if (a.Status == "Failed" && providerCharges.Contains(a.Id.ToString())) violations.Add($"payment {a.Id} failed but the provider charged it");
            }
        }

        foreach (var (order, events) in orders.Where(o => o.Value.Contains("OrderPaid")))
        {
            if (!attempts.Any(a => a.Order == order && a.Status is "Succeeded" or "Refunded")) violations.Add($"order {order} is paid but no payment succeeded");
        }

        var unsettled = attempts.Count(a => a.Status == "Pending") + pendingRefunds.Count;
        return new Result(attempts.Count(a => a.Status is "Succeeded" or "Refunded"), attempts.Count(a => a.Status == "Refunded"), unsettled, violations);
    }

    private static async Task<HashSet<string>> KeysAsync(NpgsqlDataSource data, string sql, string[] keys, CancellationToken ct)
    {
        await using var command = data.CreateCommand(sql);
        command.Parameters.AddWithValue(keys);
        var result = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(reader.GetString(0));
        }

        return result;
    }
}
