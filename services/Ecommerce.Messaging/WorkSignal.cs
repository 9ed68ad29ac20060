namespace Ecommerce.Messaging;

/// <summary>
/// When a background loop (a relay, a consumer, a projector) looks for work next. It runs at once when told
/// (<see cref="Notify"/>: a commit in this process, a pub/sub notice), soon after a pass that found work, and
/// otherwise backs off — the wait doubles from <c>busy</c> up to <c>idle</c> — because a look that finds nothing is
/// only the safety net for a notice that was lost (another replica's commit, a Redis reconnect). Polling at the busy
/// pace kept an idle platform at a fifth of this machine (bench/results/2026-12-03-idle.md).
/// </summary>
public sealed class WorkSignal(TimeSpan busy, TimeSpan idle) : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0);
    private TimeSpan _next = TimeSpan.Zero;

    /// <summary>The wait the next <see cref="WaitAsync"/> uses when not woken (for tests and the log).</summary>
    public TimeSpan NextWait => _next;

    /// <summary>Work is waiting: the loop looks now (or as soon as its current pass ends).</summary>
    public void Notify()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>
    /// Waits until notified or until the pace says to look again: <paramref name="busy"/> after a pass that found
    /// work (or when work is known to be due soon), otherwise twice the last wait, at most <c>idle</c>.
    /// Returns normally when <paramref name="ct"/> is cancelled (the loop's own condition ends it).
    /// </summary>
    public async Task WaitAsync(bool foundWork, CancellationToken ct)
    {
        _next = foundWork ? busy : TimeSpan.FromTicks(Math.Clamp(_next.Ticks * 2, busy.Ticks, Math.Max(idle.Ticks, busy.Ticks)));
        try
        {
            await _wake.WaitAsync(_next, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public void Dispose() => _wake.Dispose();
}
