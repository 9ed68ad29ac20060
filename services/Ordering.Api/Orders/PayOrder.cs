using Ecommerce.Clients;
using Ecommerce.Domain;
using Ecommerce.Http.Input;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Ordering.Api.Infrastructure;

namespace Ordering.Api.Orders;

public sealed record PayRequest(string? PaymentMethod);

/// <summary>What paying needs beside an order command's context, bound in one parameter (<c>[AsParameters]</c>).</summary>
public sealed record PaymentDependencies(IPaymentsClient Payments, ILogger<PayRequest> Logger);

/// <summary>
/// Pay: ordering asks payments to charge the order's own total under the caller's Idempotency-Key, then lets the
/// order decide whether the charge pays it. Payments charges an order at most once however many requests race;
/// a charge that lands on an order no longer payable is refunded by payments when it hears the cancellation.
/// Payments never calls ordering back: what it decides later reaches ordering as events (<see cref="PaymentEventsConsumer"/>).
/// </summary>
public static partial class PayOrder
{
    public const int MaxKeyLength = 128;

    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> Handle(Guid id, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        PayRequest request, [AsParameters] PaymentDependencies p, [AsParameters] OrderCommandContext c)
    {
        var (payments, logger) = p;
        if (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > MaxKeyLength || TextRules.Error(idempotencyKey, TextKind.Identifier) is not null)
        {
            return ValidationProblems.Field("Idempotency-Key", $"An Idempotency-Key header of 1 to {MaxKeyLength} visible characters is required; reuse it to retry this payment.");
        }

        if (request.PaymentMethod is not { } method || !PaymentMethods.IsTestCardToken(method))
        {
            return ValidationProblems.Field("paymentMethod", $"paymentMethod must be {PaymentMethods.Rule}.");
        }

        var order = await c.Orders.LoadAsync(id, c.Aborted);
        if (order is null || order.CustomerId != c.User.GetUserId())
        {
            return Problems.NotFound($"Order {id} was not found.");
        }

        // A Placed order that cannot be paid, or a Cancelled one, is refused before any charge. A paid one still asks
        // payments: a replay of the key that paid it answers the order as it is now.
        if (order.CannotPay(c.Time.GetUtcNow()) is { } reason && order.PaymentId is null)
        {
            return Problems.InvalidTransition(reason);
        }

        ChargeReply reply;
        try
        {
            reply = await payments.ChargeAsync(new ChargeOrder(order.Id, order.CustomerId, order.Total, order.Currency, method, idempotencyKey), c.Aborted);
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.ExecutionRejectedException || (ex is TaskCanceledException && !c.Aborted.IsCancellationRequested))
        {
            LogPaymentsUnavailable(logger, ex, id);
            c.Http.Response.Headers.RetryAfter = "2";
            return Problems.Unavailable("The payments service could not be reached; retry with the same Idempotency-Key — the order is never charged twice.");
        }

        if (reply is ChargeRefused refused)
        {
            if (refused.RetryAfterSeconds is { } seconds) c.Http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problems.FromPayments(refused.Status, refused.Type, refused.Title, refused.Detail);
        }

        return await RecordChargeAsync(c, order, (ChargeSucceeded)reply, logger);
    }

    /// <summary>The charge stands: append OrderPaid if the order (read again, after the charge) still takes it.</summary>
    private static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> RecordChargeAsync(OrderCommandContext c, Order order, ChargeSucceeded charge,
        ILogger logger)
    {
        var paymentId = charge.PaymentId.ToString();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // Recorded even if the caller hung up: the customer was charged. Paying holds the order's stock (OrderStockEffects).
            var current = attempt == 0 ? order : await c.Orders.LoadAsync(order.Id, c.Aborted) ?? order;
            var outcome = await c.Orders.DecideAsync(current, c.Actor, o => o.Pay(paymentId, o.Total, o.Currency, c.Time.GetUtcNow()), CancellationToken.None);
            switch (outcome)
            {
                case OrderOutcome.Refused refused:
                    LogChargeNotRecorded(logger, paymentId, order.Id, refused.Reason);
                    return Problems.InvalidTransition(charge.Status == "refunded"
                        ? $"{refused.Reason} Its charge was refunded."
                        : $"{refused.Reason} The charge it received is refunded automatically.");
                case OrderOutcome.AlreadyDone done:
                    return TypedResults.Ok(OrderResponse.From(done.Order)); // paid by this very charge already (a replay, or the event came first)
                case OrderOutcome.Appended appended:
                    return TypedResults.Ok(OrderResponse.From(appended.Order));
            }
        }

        // Still racing after three reads: the payment event will record it; the caller reads the order again.
        return Problems.Conflict("The order kept changing while its payment was recorded; read it again.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The payments service could not be reached to pay order {OrderId}")]
    private static partial void LogPaymentsUnavailable(ILogger logger, Exception exception, Guid orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payment {PaymentId} did not pay order {OrderId}: {Reason}; payments refunds it once it hears the order was cancelled")]
    private static partial void LogChargeNotRecorded(ILogger logger, string paymentId, Guid orderId, string reason);
}
