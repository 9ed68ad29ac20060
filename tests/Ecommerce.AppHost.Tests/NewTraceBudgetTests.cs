using System.Diagnostics;
using Ecommerce.ServiceDefaults;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry.Trace;

namespace Ecommerce.AppHost.Tests;

/// <summary>
/// New traces have a budget per second (a second's worth at once); a span with a parent follows the parent's decision,
/// so a client that sends a sampled traceparent is traced whatever the budget says, and a dropped trace stays dropped
/// in every service.
/// </summary>
public sealed class NewTraceBudgetTests
{
    private static SamplingParameters Root(ActivityKind kind = ActivityKind.Server) =>
        new(default, ActivityTraceId.CreateRandom(), "GET /api/catalog/products", kind);

    private static SamplingParameters Child(bool parentSampled) =>
        new(new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(),
            parentSampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None, isRemote: true),
            ActivityTraceId.CreateRandom(), "GET /api/catalog/products", ActivityKind.Server);

    [Fact]
    public void At_most_the_budget_of_new_traces_a_second_then_the_budget_refills()
    {
        var time = new FakeTimeProvider();
        var budget = new NewTraceBudget(10, time);

        var kept = Enumerable.Range(0, 50).Count(_ => budget.ShouldSample(Root()).Decision == SamplingDecision.RecordAndSample);
        Assert.Equal(11, kept); // a second's worth, plus the one the second started with

        time.Advance(TimeSpan.FromMilliseconds(500));
        var keptLater = Enumerable.Range(0, 50).Count(_ => budget.ShouldSample(Root()).Decision == SamplingDecision.RecordAndSample);
        Assert.Equal(5, keptLater);
    }

    [Fact]
    public void A_parents_decision_is_followed_whatever_the_budget_and_idle_polls_are_dropped()
    {
        var sampler = new IdlePollSampler(new NewTraceBudget(0, new FakeTimeProvider()));

        Assert.Equal(SamplingDecision.Drop, sampler.ShouldSample(Root()).Decision); // no budget: no new trace
        Assert.Equal(SamplingDecision.RecordAndSample, sampler.ShouldSample(Child(parentSampled: true)).Decision);
        Assert.Equal(SamplingDecision.Drop, sampler.ShouldSample(Child(parentSampled: false)).Decision);
        Assert.Equal(SamplingDecision.Drop, new IdlePollSampler().ShouldSample(Root(ActivityKind.Client)).Decision);
        Assert.Equal(SamplingDecision.RecordAndSample, new IdlePollSampler().ShouldSample(Root()).Decision);
    }
}
