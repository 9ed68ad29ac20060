using System.Diagnostics;
using OpenTelemetry.Trace;

namespace Ecommerce.ServiceDefaults;

/// <summary>
/// Starts at most <c>perSecond</c> new traces a second in this process, with a burst of one second's worth; a trace
/// that is not started is still propagated (W3C <c>traceparent</c> with the sampled flag off), so every service drops
/// the same traces and a kept trace is whole. Why: exporting every span of every request cost the platform a large
/// share of its throughput under load (bench/results/2026-12-03-lab: telemetry on vs off), while at a developer's
/// pace — a few requests a second — every request is still traced. A client that must see one request's trace under
/// load sends a <c>traceparent</c> with the sampled flag on; that parent's decision is followed
/// (<see cref="IdlePollSampler"/> puts this behind a parent-based sampler).
/// </summary>
public sealed class NewTraceBudget(double perSecond, TimeProvider time) : Sampler
{
    private readonly Lock _lock = new();
    private readonly long _spacing = perSecond > 0 ? (long)(time.TimestampFrequency / perSecond) : long.MaxValue;
    private readonly long _burst = time.TimestampFrequency;
    private long _next = long.MinValue; // when the budget is back to a full second's worth (GCRA's theoretical arrival time)

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        if (_spacing == long.MaxValue)
        {
            return new SamplingResult(SamplingDecision.Drop);
        }

        var now = time.GetTimestamp();
        lock (_lock)
        {
            var next = Math.Max(_next, now);
            if (next - now > _burst)
            {
                return new SamplingResult(SamplingDecision.Drop);
            }

            _next = next + _spacing;
        }

        return new SamplingResult(SamplingDecision.RecordAndSample);
    }
}
