using System.Diagnostics;

namespace Ordering.Api.Orders;

/// <summary>
/// Spans for ordering's background work. Idle polls emit nothing (ServiceDefaults' sampler drops root client spans), so a
/// job that finds work starts its own span: its database calls and the events it writes then form one trace.
/// </summary>
public static class OrderingTelemetry
{
    public static readonly ActivitySource Source = new("Ecommerce.Ordering");
}
