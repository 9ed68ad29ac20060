using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ordering.Api.Orders;

/// <summary>What one step of a checkout produced, or the problem that ends the checkout there.</summary>
public readonly struct CheckoutStep<T> where T : class
{
    private readonly T? _value;
    private readonly ProblemHttpResult? _problem;

    private CheckoutStep(T? value, ProblemHttpResult? problem) => (_value, _problem) = (value, problem);

    /// <summary>The step's value (a constructor, not an implicit conversion: T is often an interface, which cannot convert implicitly).</summary>
    public CheckoutStep(T value)
        : this(value, null)
    {
    }

    public static implicit operator CheckoutStep<T>(ProblemHttpResult problem) => new(null, problem);

    public bool Failed([NotNullWhen(false)] out T? value, [NotNullWhen(true)] out ProblemHttpResult? problem)
    {
        if (_problem is { } p)
        {
            (value, problem) = (null, p);
            return true;
        }

        (value, problem) = (_value ?? throw new InvalidOperationException("A checkout step holds neither a value nor a problem."), null);
        return false;
    }
}
