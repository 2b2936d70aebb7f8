using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Semaphores;
using Throttle.Testing;
using Xunit;

namespace Throttle.Tests.Semaphores;

/// <summary>Acquire timeouts beyond what one timer takes (about 49.7 days) wait, time out when due, and lose no slot.</summary>
public sealed class InProcessSemaphoreLongTimeoutTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_waiter_with_the_largest_timeout_waits_and_gets_the_next_release()
    {
        var clock = new TestClock();
        var semaphore = new InProcessSemaphore("k", 1, TimeSpan.MaxValue, clock);
        var held = await semaphore.AcquireAsync();

        var waiting = semaphore.AcquireAsync().AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, semaphore.WaitingCount);

        await held.ReleaseAsync();
        var lease = await waiting.WaitAsync(Guard); // the slot went to a live waiter
        await lease.ReleaseAsync();
        Assert.Equal(1, semaphore.CurrentCount); // and came back: none lost
    }

    [Fact]
    public async Task A_timeout_beyond_one_timer_is_honoured_to_the_tick()
    {
        var clock = new TestClock();
        var timeout = TimeSpan.FromSeconds(1e7); // about 115.7 days, as AcquireTimeoutSeconds = 1e7
        var semaphore = new InProcessSemaphore("k", 1, timeout, clock);
        var held = await semaphore.AcquireAsync();
        var waiting = semaphore.AcquireAsync().AsTask();

        clock.Advance(timeout - TimeSpan.FromTicks(1));
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, semaphore.WaitingCount);

        clock.Advance(TimeSpan.FromTicks(1));
        var error = await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => waiting.WaitAsync(Guard));
        Assert.Equal(timeout, error.Timeout);
        Assert.Equal(0, semaphore.WaitingCount);

        await held.ReleaseAsync();
        Assert.Equal(1, semaphore.CurrentCount); // the timed-out waiter took nothing
    }

    [Fact]
    public async Task Cancelling_a_waiter_with_a_long_timeout_passes_the_slot_to_the_next_waiter()
    {
        var clock = new TestClock();
        var semaphore = new InProcessSemaphore("k", 1, timeProvider: clock);
        var held = await semaphore.AcquireAsync();
        using var cancellation = new CancellationTokenSource();
        var cancelled = semaphore.AcquireAsync(TimeSpan.MaxValue, cancellation.Token).AsTask();
        var next = semaphore.AcquireAsync(TimeSpan.FromDays(100), CancellationToken.None).AsTask();
        Assert.Equal(2, semaphore.WaitingCount);

        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Guard));

        await held.ReleaseAsync();
        var lease = await next.WaitAsync(Guard);
        await lease.ReleaseAsync();
        Assert.Equal(1, semaphore.CurrentCount);
    }
}
