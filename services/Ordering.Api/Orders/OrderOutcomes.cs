using Ordering.Api.Infrastructure;

namespace Ordering.Api.Orders;

/// <summary>What became of a command on an existing order (<see cref="OrderTransactions.DecideAsync(Order, EventMetadata, Func{Order, Decision}, CancellationToken)"/>).</summary>
public abstract record OrderOutcome
{
    private OrderOutcome() { }

    /// <summary>The event was appended with its stock effect and integration event; <paramref name="Order"/> is the order after it.</summary>
    public sealed record Appended(Order Order, OrderEvent Event) : OrderOutcome;

    /// <summary>It had happened already (a payment event heard twice): nothing written.</summary>
    public sealed record AlreadyDone(Order Order) : OrderOutcome;

    /// <summary>The order does not allow it, for <paramref name="Reason"/>: nothing written.</summary>
    public sealed record Refused(Order Order, string Reason) : OrderOutcome;

    /// <summary>Another command appended to the order first: nothing written; read it again and retry.</summary>
    public sealed record Conflicted : OrderOutcome;

    public sealed record NotFound : OrderOutcome;
}

/// <summary>What became of a checkout (<see cref="OrderTransactions.PlaceAsync"/>).</summary>
public abstract record PlacementOutcome
{
    private PlacementOutcome() { }

    public sealed record Placed(Order Order) : PlacementOutcome;

    /// <summary><see cref="Order.Place"/> refused the priced lines.</summary>
    public sealed record Refused(string Reason) : PlacementOutcome;

    /// <summary>Some lines cannot be reserved: nothing was reserved and the key was not kept.</summary>
    public sealed record OutOfStock(IReadOnlyList<ShortLine> ShortLines) : PlacementOutcome;

    /// <summary>Another request with this key committed (or is committing) first: answer as it did.</summary>
    public sealed record KeyTaken : PlacementOutcome;
}
