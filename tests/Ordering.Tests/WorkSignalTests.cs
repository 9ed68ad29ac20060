using Ecommerce.Messaging;

namespace Ordering.Tests;

/// <summary>The pace of the background loops (relays, consumers, the summary projector): woken by work, backing off when idle.</summary>
public sealed class WorkSignalTests
{
    [Fact]
    public async Task An_idle_loop_waits_twice_as_long_each_time_up_to_the_idle_interval_and_work_resets_the_pace()
    {
        using var signal = new WorkSignal(busy: TimeSpan.FromMilliseconds(1), idle: TimeSpan.FromMilliseconds(6));
        var waits = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            await signal.WaitAsync(foundWork: false, TestContext.Current.CancellationToken);
            waits.Add(signal.NextWait.TotalMilliseconds);
        }

        await signal.WaitAsync(foundWork: true, TestContext.Current.CancellationToken);

        Assert.Equal([1, 2, 4, 6, 6], waits);
        Assert.Equal(TimeSpan.FromMilliseconds(1), signal.NextWait);
    }

    [Fact]
    public async Task A_notice_wakes_a_loop_that_would_otherwise_wait_an_hour()
    {
        using var signal = new WorkSignal(busy: TimeSpan.FromHours(1), idle: TimeSpan.FromHours(1));
        var waiting = signal.WaitAsync(foundWork: false, TestContext.Current.CancellationToken);

        signal.Notify();

        await waiting.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.True(waiting.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_notice_that_comes_while_the_loop_works_is_kept_for_its_next_wait_and_many_notices_wake_it_once()
    {
        using var signal = new WorkSignal(busy: TimeSpan.FromHours(1), idle: TimeSpan.FromHours(1));
        signal.Notify();
        signal.Notify();

        await signal.WaitAsync(foundWork: true, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var second = signal.WaitAsync(foundWork: false, TestContext.Current.CancellationToken);
        await Task.Yield();

        Assert.False(second.IsCompleted);
        signal.Notify();
        await second.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Stopping_ends_the_wait_without_an_exception()
    {
        using var signal = new WorkSignal(busy: TimeSpan.FromHours(1), idle: TimeSpan.FromHours(1));
        using var stopping = new CancellationTokenSource();
        var waiting = signal.WaitAsync(foundWork: false, stopping.Token);

        await stopping.CancelAsync();

        await waiting.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.True(waiting.IsCompletedSuccessfully);
    }
}
