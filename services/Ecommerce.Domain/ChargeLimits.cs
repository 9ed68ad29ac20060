namespace Ecommerce.Domain;

/// <summary>
/// The largest amount one payment may take, agreed by ordering (which refuses a larger order at checkout) and payments
/// (which refuses a larger charge). Before they shared it, ordering accepted orders payments could never charge, and
/// paying them answered 503 for ever (hardening round 3, defect 12).
/// </summary>
public static class ChargeLimits
{
    public const decimal MaxAmount = 1_000_000_000m;
}
