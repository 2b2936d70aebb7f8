using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Throttle.Semaphores;
using Xunit;

namespace Throttle.Tests.Semaphores;

public sealed class InProcessSemaphoreTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Slots_are_taken_synchronously_until_the_value_then_callers_wait()
    {
        var semaphore = new InProcessSemaphore("k", 2);
        var first = semaphore.AcquireAsync();
        var second = semaphore.AcquireAsync();
        Assert.True(first.IsCompletedSuccessfully);
        Assert.True(second.IsCompletedSuccessfully);
        Assert.Equal(0, semaphore.CurrentCount);

        var third = semaphore.AcquireAsync(CancellationToken.None);
        Assert.False(third.IsCompleted);
        Assert.Equal(1, semaphore.WaitingCount);

        await (await first).ReleaseAsync();
        var lease = await third.AsTask().WaitAsync(Guard);
        Assert.Equal(0, semaphore.CurrentCount); // the slot went straight to the waiter
        await lease.DisposeAsync();
        await (await second).DisposeAsync();
        Assert.Equal(2, semaphore.CurrentCount);
    }

    [Fact]
    public async Task Waiters_are_served_first_in_first_out_and_newcomers_do_not_overtake()
    {
        var semaphore = new InProcessSemaphore("k", 1);
        var held = await semaphore.AcquireAsync();
        var order = new List<int>();
        var waiters = Enumerable.Range(0, 5).Select(async i =>
        {
            await using var lease = await semaphore.AcquireAsync();
            lock (order)
            {
                order.Add(i);
            }
        }).ToArray();

        await held.ReleaseAsync();
        await Task.WhenAll(waiters).WaitAsync(Guard);
        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    [Fact]
    public async Task A_waiter_times_out_on_the_time_provider_and_leaves_no_trace()
    {
        var clock = new FakeTimeProvider();
        var semaphore = new InProcessSemaphore("k", 1, TimeSpan.FromSeconds(5), clock);
        var held = await semaphore.AcquireAsync();
        var waiting = semaphore.AcquireAsync().AsTask();

        clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(0.1));
        var error = await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => waiting.WaitAsync(Guard));
        Assert.Equal("k", error.Key);
        Assert.Equal(TimeSpan.FromSeconds(5), error.Timeout);
        Assert.Equal(0, semaphore.WaitingCount);

        await held.ReleaseAsync();
        Assert.Equal(1, semaphore.CurrentCount); // the timed-out waiter did not take the freed slot
    }

    [Fact]
    public async Task Zero_timeout_only_tries()
    {
        var semaphore = new InProcessSemaphore("k", 1);
        await using var held = await semaphore.AcquireAsync();
        var attempt = semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.True(attempt.IsFaulted);
        await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => attempt.AsTask());
        Assert.Equal(0, semaphore.WaitingCount);
    }

    [Fact]
    public async Task Cancellation_while_waiting_throws_and_gives_up_the_place()
    {
        var semaphore = new InProcessSemaphore("k", 1);
        var held = await semaphore.AcquireAsync();
        using var cancellation = new CancellationTokenSource();
        var waiting = semaphore.AcquireAsync(cancellation.Token).AsTask();
        var next = semaphore.AcquireAsync().AsTask();

        await cancellation.CancelAsync();
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Guard));
        Assert.Equal(cancellation.Token, error.CancellationToken);

        await held.ReleaseAsync();
        await using var lease = await next.WaitAsync(Guard); // the place passed to the next waiter
        Assert.Equal(0, semaphore.CurrentCount);
    }

    [Fact]
    public async Task An_already_canceled_token_fails_without_taking_a_slot()
    {
        var semaphore = new InProcessSemaphore("k", 1);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => semaphore.AcquireAsync(new CancellationToken(true)).AsTask());
        Assert.Equal(1, semaphore.CurrentCount);
    }

    [Fact]
    public async Task Releasing_more_than_was_taken_throws_and_changes_nothing()
    {
        var semaphore = new InProcessSemaphore("k", 2);
        var lease = await semaphore.AcquireAsync();
        await semaphore.ReleaseAsync(); // gives back the instance's oldest lease
        Assert.True(lease.IsReleased);
        Assert.Equal(2, semaphore.CurrentCount);

        await Assert.ThrowsAsync<InvalidOperationException>(() => semaphore.ReleaseAsync().AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => lease.ReleaseAsync().AsTask());
        await lease.DisposeAsync(); // disposing a released lease is a no-op
        Assert.Equal(2, semaphore.CurrentCount);
    }

    [Fact]
    public async Task Releasing_through_the_semaphore_gives_back_the_oldest_outstanding_lease()
    {
        var semaphore = new InProcessSemaphore("k", 3);
        var first = await semaphore.AcquireAsync();
        var second = await semaphore.AcquireAsync();
        var third = await semaphore.AcquireAsync();
        await second.ReleaseAsync();

        await semaphore.ReleaseAsync();
        Assert.True(first.IsReleased);
        Assert.False(third.IsReleased);
        await semaphore.ReleaseAsync();
        Assert.True(third.IsReleased);
        Assert.Equal(3, semaphore.CurrentCount);
    }

    [Fact]
    public async Task Concurrent_releases_cannot_overshoot()
    {
        var semaphore = new InProcessSemaphore("k", 3);
        var leases = new[] { await semaphore.AcquireAsync(), await semaphore.AcquireAsync(), await semaphore.AcquireAsync() };
        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(0, 24).Select(i => Task.Run(async () =>
        {
            start.Wait();
            try
            {
                if (i % 2 == 0)
                {
                    await leases[i % 3].ReleaseAsync();
                }
                else
                {
                    await semaphore.ReleaseAsync();
                }

                return true;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        })).ToArray();

        start.Set();
        var results = await Task.WhenAll(attempts).WaitAsync(Guard);
        Assert.Equal(3, results.Count(released => released));
        Assert.Equal(3, semaphore.CurrentCount);
    }

    [Fact]
    public void Blocking_acquire_works_for_synchronous_callers()
    {
        var semaphore = new InProcessSemaphore("k", 1);
        using (semaphore.Acquire())
        {
            Assert.Equal(0, semaphore.CurrentCount);
        }

        Assert.Equal(1, semaphore.CurrentCount);
    }

    [Fact]
    public void Bad_arguments_are_rejected_naming_the_parameter()
    {
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new InProcessSemaphore("k", 0)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => new InProcessSemaphore("", 1)).ParamName);
        Assert.Equal("acquireTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new InProcessSemaphore("k", 1, TimeSpan.FromSeconds(-1))).ParamName);
        var semaphore = new InProcessSemaphore("k", 1);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => semaphore.AcquireAsync(TimeSpan.FromSeconds(-2), CancellationToken.None)).ParamName);
    }
}
