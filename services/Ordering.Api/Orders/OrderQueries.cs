using System.Security.Claims;
using System.Text.Json;
using System.Text;
using Ecommerce.Http.Input;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Ordering.Api.Infrastructure;

namespace Ordering.Api.Orders;

public static class OrderQueries
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <summary>The order now, or as it was at <paramref name="asOf"/> (rebuilt from the events up to then).</summary>
    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> Get(
        Guid id, DateTimeOffset? asOf, ClaimsPrincipal user, OrderingDb db, TimeProvider time, CancellationToken ct)
    {
        // An instant may be written with any UTC offset; PostgreSQL's timestamptz takes UTC only (Npgsql refuses others).
        asOf = asOf?.ToUniversalTime();
        var order = await new EventStore(db, time).LoadAsync(id, asOf, ct);
        return order is null || !CanSee(user, order.CustomerId)
            ? Problems.NotFound(asOf is null ? $"Order {id} was not found." : $"Order {id} did not exist at {asOf:O}.")
            : TypedResults.Ok(OrderResponse.From(order));
    }

    public static async Task<Results<Ok<List<OrderHistoryEntry>>, ProblemHttpResult>> History(
        Guid id, ClaimsPrincipal user, OrderingDb db, TimeProvider time, CancellationToken ct)
    {
        var events = await new EventStore(db, time).HistoryAsync(id, ct);
        if (events.Count == 0 || !CanSee(user, ((OrderPlaced)EventStore.Deserialize(events[0].Data)).CustomerId))
        {
            return Problems.NotFound($"Order {id} was not found.");
        }

        var admin = user.IsAdmin();
        var me = user.GetUserId();
        return TypedResults.Ok(events.Select(e => new OrderHistoryEntry(
            e.Version, e.Type, e.OccurredAt, JsonDocument.Parse(e.Data).RootElement,
            admin ? JsonDocument.Parse(e.Metadata).RootElement : MetadataForCustomer(e.Metadata, me))).ToList());
    }

    /// <summary>
    /// What a customer may see of who caused an event: the actor's role only, and the actor's id and trace id when the
    /// actor is the customer themselves. Another account's id (an admin who shipped the order) and its trace stay with admins.
    /// </summary>
    private static JsonElement MetadataForCustomer(string stored, Guid? me)
    {
        var metadata = JsonSerializer.Deserialize(stored, OrderEventJson.Default.EventMetadata)!;
        var shown = metadata.ActorId is { } actor && actor == me ? metadata : new EventMetadata(null, metadata.ActorRole, null);
        return JsonSerializer.SerializeToElement(shown, OrderEventJson.Default.EventMetadata);
    }

    /// <summary>
    /// The caller's orders, newest first, from the read model (eventually consistent with the events;
    /// see /api/orders/projection for its lag). Admins see everyone's, or one customer's with ?customerId=.
    /// </summary>
    public static async Task<Results<Ok<OrderPage>, ProblemHttpResult>> List(
        int? limit, string? cursor, Guid? customerId, ClaimsPrincipal user, OrderingDb db, CancellationToken ct)
    {
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit)
        {
            var refused = $"limit must be from 1 to {MaxLimit}.";
            return ValidationProblems.Field("limit", refused, detail: refused);
        }

        var query = db.OrderSummaries.AsNoTracking();
        if (!user.IsAdmin())
        {
            var me = user.GetUserId();
            query = query.Where(s => s.CustomerId == me);
        }
        else if (customerId is { } c)
        {
            query = query.Where(s => s.CustomerId == c);
        }

        if (cursor is not null)
        {
            if (!TryDecode(cursor, out var placedAt, out var lastId))
            {
                const string refused = "cursor is not one this API issued.";
                return ValidationProblems.Field("cursor", refused, detail: refused);
            }

            // Keyset: strictly after the last row seen, in (placedAt desc, id desc) order, as one row-value comparison so
            // the (customer, placedAt, id) index starts at the cursor (the OR form only filtered a scan from the top;
            // docs/catalog.md has the measurement).
            query = query.Where(s => EF.Functions.LessThan(ValueTuple.Create(s.PlacedAt, s.OrderId), ValueTuple.Create(placedAt, lastId)));
        }

        var rows = await query.OrderByDescending(s => s.PlacedAt).ThenByDescending(s => s.OrderId).Take(take + 1).ToListAsync(ct);
        var next = rows.Count > take ? Encode(rows[take - 1]) : null;
        return TypedResults.Ok(new OrderPage(rows.Take(take).Select(s => new OrderSummaryResponse(
            s.OrderId, s.Status, s.Total, s.Currency, s.LineCount, s.PlacedAt, s.UpdatedAt)).ToList(), next));
    }

    private static bool CanSee(ClaimsPrincipal user, Guid owner) => user.IsAdmin() || user.GetUserId() == owner;

    private static string Encode(OrderSummary s) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{s.PlacedAt.UtcTicks}:{s.OrderId}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecode(string cursor, out DateTimeOffset placedAt, out Guid id)
    {
        placedAt = default;
        id = default;
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split(':');
            if (parts.Length != 2 || !long.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var ticks)
                || ticks < 0 || ticks > DateTimeOffset.MaxValue.UtcTicks || !Guid.TryParse(parts[1], out id))
            {
                return false;
            }

            placedAt = new DateTimeOffset(ticks, TimeSpan.Zero);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
