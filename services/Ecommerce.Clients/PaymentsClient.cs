using System.Net.Http.Json;
using System.Text.Json;

namespace Ecommerce.Clients;

/// <summary>What ordering asks payments to charge: the order's own total, never a figure a client sent.</summary>
public sealed record ChargeOrder(Guid OrderId, Guid CustomerId, decimal Amount, string Currency, string PaymentMethod, string AttemptKey);

public abstract record ChargeReply;

/// <param name="Status">succeeded, or refunded when the order was cancelled while it was charged.</param>
public sealed record ChargeSucceeded(Guid PaymentId, string Status) : ChargeReply;

/// <summary>Payments' problem answer (declined, in progress, already charged, not payable, provider down), passed on as it is.</summary>
public sealed record ChargeRefused(int Status, string Type, string Title, string Detail, int? RetryAfterSeconds) : ChargeReply;

public interface IPaymentsClient
{
    Task<ChargeReply> ChargeAsync(ChargeOrder charge, CancellationToken cancellationToken);
}

/// <summary>
/// Calls the payments service (<c>http://payments-api</c>) with a service token. Retrying the call is always safe: the
/// attempt key makes payments answer a repeat with the first attempt's outcome.
/// </summary>
public sealed class HttpPaymentsClient(HttpClient http) : IPaymentsClient
{
    public async Task<ChargeReply> ChargeAsync(ChargeOrder charge, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/api/payments/charges", charge, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            var payment = await response.Content.ReadFromJsonAsync<PaymentBody>(cancellationToken)
                ?? throw new HttpRequestException("The payments service answered an empty body.");
            return new ChargeSucceeded(payment.Id, payment.Status);
        }

        if ((int)response.StatusCode is 400 or 402 or 409 or 422 or 503 && response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            return new ChargeRefused((int)response.StatusCode, Text(problem, "type"), Text(problem, "title"), Text(problem, "detail"),
                problem.TryGetProperty("retryAfterSeconds", out var retry) && retry.TryGetInt32(out var seconds) ? seconds : null);
        }

        throw new HttpRequestException($"The payments service answered {(int)response.StatusCode} to a charge.", null, response.StatusCode);
    }

    private static string Text(JsonElement problem, string name) =>
        problem.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    private sealed record PaymentBody(Guid Id, string Status);
}
