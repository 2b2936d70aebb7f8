using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Queues;
using Throttle.Testing;
using Xunit;

namespace Throttle.Tests.Queues;

/// <summary>The order a pull queue hands out items in: priority, due time, batches.</summary>
public sealed class PullOrderTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public async Task Priority_HighestFirst_EqualPrioritiesInPutOrder()
    {
        var queue = new PriorityWorkQueue<string>(priorityFn: s => s.Length);
        await queue.PutAsync("low-a", priority: 1);
        await queue.PutAsync("high", priority: 9);
        Assert.True(queue.TryPut("low-b", priority: 1));
        await queue.PutAsync("mid"); // priorityFn: 3

        var taken = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            taken.Add(await queue.TakeAsync().Safe());
        }

        Assert.Equal(new[] { "high", "mid", "low-a", "low-b" }, taken);
    }

    [Fact]
    public async Task Delay_NothingIsTakenBeforeItIsDue_ThenInDueOrder_OnTheQueuesClock()
    {
        var clock = new TestClock();
        var queue = new DelayWorkQueue<string>(timeProvider: clock);
        await queue.PutAsync("30s", S(30));
        await queue.PutAsync("10s-a", S(10));
        Assert.True(queue.TryPut("20s", S(20)));
        await queue.PutAsync("10s-b", S(10));

        Assert.False(queue.TryTake(out _));
        var first = queue.TakeAsync();
        clock.Advance(S(9.999));
        Assert.False(first.IsCompleted);
        Assert.False(queue.TryTake(out _));

        clock.Advance(S(0.001));
        Assert.Equal("10s-a", await first.Safe());
        Assert.True(queue.TryTake(out var tie));
        Assert.Equal("10s-b", tie);

        var second = queue.TakeAsync();
        Assert.False(second.IsCompleted);
        clock.Advance(S(10));
        Assert.Equal("20s", await second.Safe());
        clock.Advance(S(10));
        Assert.Equal("30s", await queue.TakeAsync().Safe());
    }

    [Fact]
    public async Task Delay_AnEarlierItemPutWhileAConsumerWaits_IsTakenFirst()
    {
        var clock = new TestClock();
        var queue = new DelayWorkQueue<string>(timeProvider: clock);
        await queue.PutAsync("late", S(60));
        var take = queue.TakeAsync();

        await queue.PutAsync("soon", S(5));
        clock.Advance(S(5));

        Assert.Equal("soon", await take.Safe());
        Assert.False(queue.TryTake(out _));
        clock.Advance(S(55));
        Assert.Equal("late", await queue.TakeAsync().Safe());
    }

    [Fact]
    public async Task Delay_ADrainWaitsForTheDueTimesOfWhatIsLeft()
    {
        var clock = new TestClock();
        var queue = new DelayWorkQueue<int>(timeProvider: clock);
        await queue.PutAsync(1, S(10));
        var stop = queue.StopAsync();

        var take = queue.TakeAsync();
        Assert.False(take.IsCompleted);
        clock.Advance(S(10));

        Assert.Equal(1, await take.Safe());
        Assert.Empty(await stop.Safe());
    }

    [Fact]
    public async Task Batching_FullBatchesAtOnce_APartialBatchWhenTheTimeoutPasses()
    {
        var clock = new TestClock();
        var queue = new BatchingWorkQueue<int>(batchSize: 3, batchTimeout: S(10), timeProvider: clock);
        for (var i = 1; i <= 4; i++)
        {
            await queue.PutAsync(i);
        }

        Assert.Equal(new[] { 1, 2, 3 }, await queue.TakeBatchAsync().Safe());

        // Item 4 waits for company until the batch timeout (on the queue's clock) passes.
        var partial = queue.TakeBatchAsync();
        Assert.True(await clock.WaitForTimerAsync());
        clock.Advance(S(10) - TimeSpan.FromMilliseconds(1));
        Assert.False(partial.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(new[] { 4 }, await partial.Safe());
    }

    [Fact]
    public async Task Batching_ItemsPutBeforeTheTimeout_JoinTheBatch()
    {
        var clock = new TestClock();
        var queue = new BatchingWorkQueue<int>(batchSize: 3, batchTimeout: S(10), timeProvider: clock);
        var batch = queue.TakeBatchAsync();
        await queue.PutAsync(1);
        Assert.True(await clock.WaitForTimerAsync());
        clock.Advance(S(5));
        await queue.PutAsync(2);
        await queue.PutAsync(3);

        Assert.Equal(new[] { 1, 2, 3 }, await batch.Safe());
    }

    [Fact]
    public async Task Batching_CancellingWhileABatchFills_ReturnsWhatItHolds_NothingIsLost()
    {
        var clock = new TestClock();
        var queue = new BatchingWorkQueue<int>(batchSize: 3, batchTimeout: S(10), timeProvider: clock);
        using var cts = new CancellationTokenSource();
        await queue.PutAsync(1);
        var batch = queue.TakeBatchAsync(cts.Token);
        Assert.True(await clock.WaitForTimerAsync());

        await cts.CancelAsync();

        Assert.Equal(new[] { 1 }, await batch.Safe());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.TakeBatchAsync(cts.Token).Safe());
    }

    [Fact]
    public async Task Batching_TryTakeBatch_AndReadAllBatches_UntilTheStoppedQueueIsEmpty()
    {
        var clock = new TestClock();
        var queue = new BatchingWorkQueue<int>(batchSize: 2, batchTimeout: S(10), timeProvider: clock);
        Assert.False(queue.TryTakeBatch(out _));
        for (var i = 1; i <= 5; i++)
        {
            await queue.PutAsync(i);
        }

        Assert.True(queue.TryTakeBatch(out var first));
        Assert.Equal(new[] { 1, 2 }, first);
        var stop = queue.StopAsync();

        var batches = new List<int[]>();
        await foreach (var batch in queue.ReadAllBatchesAsync())
        {
            batches.Add([.. batch]); // the last is partial at once: the stopped queue is drained, no timeout wait
        }

        Assert.Equal(new[] { new[] { 3, 4 }, new[] { 5 } }, batches);
        Assert.Empty(await stop.Safe());
        Assert.Throws<QueueStoppedException>(() => queue.TryTakeBatch(out _));
        await Assert.ThrowsAsync<QueueStoppedException>(() => queue.TakeBatchAsync().Safe());
    }
}
