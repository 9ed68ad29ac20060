namespace Ecommerce.Messaging;

/// <summary>Redis names shared by producers and consumers.</summary>
public static class EventStreams
{
    public const string Catalog = "catalog";
    public const string Ordering = "ordering";
    public const string Payments = "payments";

    public static string Key(string stream) => $"events:{stream}";

    /// <summary>Pub/sub channel a relay publishes to after adding entries, so consumers poll at once.</summary>
    public static string Notify(string stream) => $"events:{stream}:notify";

    public static string DeadLetter(string stream) => $"events:{stream}:dead";
}
