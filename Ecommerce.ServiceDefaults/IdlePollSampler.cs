using System.Diagnostics;
using OpenTelemetry.Trace;

namespace Ecommerce.ServiceDefaults;

/// <summary>
/// Drops ROOT client spans: a database, Redis or HTTP call made with no activity around it.
/// Why: a request or a job that did work always has a span around its calls (ASP.NET Core's server span, the outbox
/// relay's Producer span, a consumer's Consumer span), so a client span with no parent is a background poll asking
/// "anything to do?". On an idle platform those polls (outbox relays, projectors, expiry jobs, XREADGROUP/XPENDING)
/// were ~25,000 single-span traces in 4 minutes and buried the traces that matter. Everything else follows the
/// parent's decision, as the SDK's default sampler does; a span with no parent at all is left to <c>root</c> (the services
/// use <see cref="NewTraceBudget"/>). Rule for new background work: start an activity of your own
/// once there IS work, and its calls are traced under it.
/// </summary>
public sealed class IdlePollSampler(Sampler root) : Sampler
{
    private readonly Sampler _inner = new ParentBasedSampler(root);

    /// <summary>Every new trace is kept (tests, tools).</summary>
    public IdlePollSampler() : this(new AlwaysOnSampler())
    {
    }

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind == ActivityKind.Client && samplingParameters.ParentContext.TraceId == default
            ? new SamplingResult(SamplingDecision.Drop)
            : _inner.ShouldSample(samplingParameters);
}
