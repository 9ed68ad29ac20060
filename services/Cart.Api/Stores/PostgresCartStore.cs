using Npgsql;

namespace Cart.Api.Stores;

/// <summary>
/// The relational alternative: <c>carts</c> and <c>cart_lines</c> in <c>cartdb</c>. Every change locks the
/// cart row (<c>SELECT … FOR UPDATE</c>) for its transaction, so concurrent changes to one cart queue
/// instead of losing updates; expiry is a column that a cleanup job enforces.
/// </summary>
public sealed class PostgresCartStore(NpgsqlDataSource dataSource) : ICartStore
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS carts (
            id text PRIMARY KEY,
            owner_id uuid UNIQUE,
            updated_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_carts_expires_at ON carts (expires_at);
        CREATE TABLE IF NOT EXISTS cart_lines (
            cart_id text NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
            sku text NOT NULL,
            quantity int NOT NULL CHECK (quantity > 0),
            price_seen numeric(18,2) NOT NULL,
            currency char(3) NOT NULL,
            added_at timestamptz NOT NULL,
            PRIMARY KEY (cart_id, sku));
        """;

    public async Task EnsureSchemaAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(Schema);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task CreateAsync(string cartId, Guid? ownerId, CartLimits limits, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("INSERT INTO carts (id, owner_id, updated_at, expires_at) VALUES ($1, $2, $3, $4)");
        command.Parameters.Add(new() { Value = cartId });
        command.Parameters.Add(new() { Value = (object?)ownerId ?? DBNull.Value });
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = now + limits.Ttl });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<CartData?> GetAsync(string cartId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var cart = new NpgsqlCommand("SELECT owner_id, updated_at, expires_at FROM carts WHERE id = $1 AND expires_at > $2", connection)
        {
            Parameters = { new() { Value = cartId }, new() { Value = now } },
        };
        Guid? owner;
        DateTimeOffset updated, expires;
        await using (var reader = await cart.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }

            owner = reader.IsDBNull(0) ? null : reader.GetGuid(0);
            updated = reader.GetFieldValue<DateTimeOffset>(1);
            expires = reader.GetFieldValue<DateTimeOffset>(2);
        }

        await using var linesCommand = new NpgsqlCommand(
            "SELECT sku, quantity, price_seen, currency, added_at FROM cart_lines WHERE cart_id = $1 ORDER BY added_at, sku", connection)
        {
            Parameters = { new() { Value = cartId } },
        };
        var lines = new List<CartLineData>();
        await using (var reader = await linesCommand.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                lines.Add(new CartLineData(reader.GetString(0), reader.GetInt32(1), reader.GetDecimal(2), reader.GetString(3).Trim(),
                    reader.GetFieldValue<DateTimeOffset>(4)));
            }
        }

        return new CartData(cartId, owner, lines, updated, expires);
    }

    public Task<CartChange> AddAsync(string cartId, CartLineData line, CartLimits limits, DateTimeOffset now, CancellationToken ct) =>
        ChangeAsync(cartId, limits, now, async (connection, tx) =>
        {
            // Under the cart row's lock: one currency per cart.
            await using var otherCurrency = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM cart_lines WHERE cart_id = $1 AND currency::text <> $2)", connection, tx)
            {
                Parameters = { new() { Value = cartId }, new() { Value = line.Currency } },
            };
            if ((bool)(await otherCurrency.ExecuteScalarAsync(ct))!)
            {
                return CartChange.OtherCurrency;
            }

            await using var current = new NpgsqlCommand("SELECT quantity FROM cart_lines WHERE cart_id = $1 AND sku = $2", connection, tx)
            {
                Parameters = { new() { Value = cartId }, new() { Value = line.Sku } },
            };
            var quantity = (int?)await current.ExecuteScalarAsync(ct) ?? 0;
            if (quantity + line.Quantity > limits.MaxQuantity)
            {
                return CartChange.QuantityTooLarge;
            }

            if (quantity == 0)
            {
                await using var count = new NpgsqlCommand("SELECT count(*) FROM cart_lines WHERE cart_id = $1", connection, tx)
                {
                    Parameters = { new() { Value = cartId } },
                };
                if ((long)(await count.ExecuteScalarAsync(ct))! >= limits.MaxLines)
                {
                    return CartChange.TooManyLines;
                }
            }

            await using var upsert = new NpgsqlCommand("""
                INSERT INTO cart_lines (cart_id, sku, quantity, price_seen, currency, added_at) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (cart_id, sku) DO UPDATE SET quantity = cart_lines.quantity + EXCLUDED.quantity
                """, connection, tx)
            {
                Parameters =
                {
                    new() { Value = cartId }, new() { Value = line.Sku }, new() { Value = line.Quantity },
                    new() { Value = line.PriceSeen }, new() { Value = line.Currency }, new() { Value = line.AddedAt },
                },
            };
            await upsert.ExecuteNonQueryAsync(ct);
            return CartChange.Done;
        }, ct);

    public Task<CartChange> SetQuantityAsync(string cartId, string sku, int quantity, CartLimits limits, DateTimeOffset now, CancellationToken ct) =>
        ChangeAsync(cartId, limits, now, async (connection, tx) =>
        {
            await using var update = new NpgsqlCommand("UPDATE cart_lines SET quantity = $3 WHERE cart_id = $1 AND sku = $2", connection, tx)
            {
                Parameters = { new() { Value = cartId }, new() { Value = sku }, new() { Value = quantity } },
            };
            return await update.ExecuteNonQueryAsync(ct) == 0 ? CartChange.LineNotFound : CartChange.Done;
        }, ct);

    public Task<CartChange> RemoveAsync(string cartId, string sku, CartLimits limits, DateTimeOffset now, CancellationToken ct) =>
        ChangeAsync(cartId, limits, now, async (connection, tx) =>
        {
            await using var delete = new NpgsqlCommand("DELETE FROM cart_lines WHERE cart_id = $1 AND sku = $2", connection, tx)
            {
                Parameters = { new() { Value = cartId }, new() { Value = sku } },
            };
            return await delete.ExecuteNonQueryAsync(ct) == 0 ? CartChange.LineNotFound : CartChange.Done;
        }, ct);

    public async Task<bool> DeleteAsync(string cartId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM carts WHERE id = $1");
        command.Parameters.Add(new() { Value = cartId });
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task<string?> FindByOwnerAsync(Guid ownerId, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT id FROM carts WHERE owner_id = $1 AND expires_at > $2");
        command.Parameters.Add(new() { Value = ownerId });
        command.Parameters.Add(new() { Value = now });
        return (string?)await command.ExecuteScalarAsync(ct);
    }

    public async Task<CartMerge> MergeAsync(string guestCartId, string userCartId, CartLimits limits, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Both carts locked in id order: two merges touching the same carts cannot deadlock.
        await using var lockCarts = new NpgsqlCommand("SELECT id FROM carts WHERE id = ANY($1) AND expires_at > $2 ORDER BY id FOR UPDATE", connection, tx)
        {
            Parameters = { new() { Value = new[] { guestCartId, userCartId } }, new() { Value = now } },
        };
        var found = 0;
        await using (var reader = await lockCarts.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                found++;
            }
        }

        if (found != 2)
        {
            return new(CartChange.CartNotFound, 0);
        }

        await using var currencies = new NpgsqlCommand("SELECT count(DISTINCT currency) FROM cart_lines WHERE cart_id = ANY($1)", connection, tx)
        {
            Parameters = { new() { Value = new[] { guestCartId, userCartId } } },
        };
        if ((long)(await currencies.ExecuteScalarAsync(ct))! > 1)
        {
            return new(CartChange.OtherCurrency, 0); // one currency per cart: nothing merged (rolled back on dispose)
        }

        await using var merge = new NpgsqlCommand("""
            WITH guest AS (SELECT sku, quantity, price_seen, currency, added_at FROM cart_lines WHERE cart_id = $1),
                 room AS (SELECT $4 - count(*) AS free FROM cart_lines WHERE cart_id = $2),
                 fresh AS (SELECT g.* FROM guest g WHERE NOT EXISTS (SELECT 1 FROM cart_lines u WHERE u.cart_id = $2 AND u.sku = g.sku)
                           ORDER BY g.added_at, g.sku LIMIT GREATEST((SELECT free FROM room), 0)),
                 updated AS (UPDATE cart_lines u SET quantity = LEAST(u.quantity + g.quantity, $3) FROM guest g
                             WHERE u.cart_id = $2 AND u.sku = g.sku RETURNING 1),
                 inserted AS (INSERT INTO cart_lines (cart_id, sku, quantity, price_seen, currency, added_at)
                              SELECT $2, sku, LEAST(quantity, $3), price_seen, currency, added_at FROM fresh RETURNING 1)
            SELECT (SELECT count(*) FROM guest) - (SELECT count(*) FROM updated) - (SELECT count(*) FROM inserted)
            """, connection, tx)
        {
            Parameters = { new() { Value = guestCartId }, new() { Value = userCartId }, new() { Value = limits.MaxQuantity }, new() { Value = (long)limits.MaxLines } },
        };
        var dropped = (long)(await merge.ExecuteScalarAsync(ct))!;
        await using var cleanup = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("DELETE FROM carts WHERE id = $1") { Parameters = { new() { Value = guestCartId } } },
                new NpgsqlBatchCommand("UPDATE carts SET updated_at = $2, expires_at = $3 WHERE id = $1")
                {
                    Parameters = { new() { Value = userCartId }, new() { Value = now }, new() { Value = now + limits.Ttl } },
                },
            },
        };
        await cleanup.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return new(CartChange.Done, (int)dropped);
    }

    /// <summary>Deletes expired carts (their lines go with them); returns how many.</summary>
    public async Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM carts WHERE expires_at <= $1");
        command.Parameters.Add(new() { Value = now });
        return await command.ExecuteNonQueryAsync(ct);
    }

    private async Task<CartChange> ChangeAsync(string cartId, CartLimits limits, DateTimeOffset now,
        Func<NpgsqlConnection, NpgsqlTransaction, Task<CartChange>> change, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var lockCart = new NpgsqlCommand("SELECT 1 FROM carts WHERE id = $1 AND expires_at > $2 FOR UPDATE", connection, tx)
        {
            Parameters = { new() { Value = cartId }, new() { Value = now } },
        };
        if (await lockCart.ExecuteScalarAsync(ct) is null)
        {
            return CartChange.CartNotFound;
        }

        var result = await change(connection, tx);
        if (result != CartChange.Done)
        {
            return result; // rolled back on dispose
        }

        await using var touch = new NpgsqlCommand("UPDATE carts SET updated_at = $2, expires_at = $3 WHERE id = $1", connection, tx)
        {
            Parameters = { new() { Value = cartId }, new() { Value = now }, new() { Value = now + limits.Ttl } },
        };
        await touch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return result;
    }
}
