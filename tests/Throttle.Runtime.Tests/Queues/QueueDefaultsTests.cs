using System;
using System.Threading.Tasks;
using Throttle.Queues;
using Throttle.Testing;
using Xunit;

namespace Throttle.Tests.Queues;

/// <summary>The spec's defaults (api-reference: FIFOQueue batch_size = 1, batch_timeout = 1.0; DelayQueue.put delay = 0), by behaviour.</summary>
public sealed class QueueDefaultsTests
{
    [Fact]
    public async Task Batching_DefaultBatchSize_SendsOneItemPerBatch()
    {
        var batches = new Recorder<int[]>();
        var queue = new BatchingWorkQueue<int>((b, _) => batches.Add([.. b]), timeProvider: new TestClock());
        await queue.PutAsync(1);
        await queue.PutAsync(2);
        await queue.StartAsync();

        Assert.Equal(new[] { new[] { 1 }, new[] { 2 } }, await batches.NextAsync(2));
        Assert.Equal(BatchingWorkQueue<int>.DefaultBatchSize, queue.BatchSize);
        await queue.StopAsync().Safe();
    }

    [Fact]
    public async Task Batching_DefaultTimeout_SendsAPartialBatchAfterOneSecond()
    {
        var clock = new TestClock();
        var queue = new BatchingWorkQueue<int>(batchSize: 2, timeProvider: clock);
        await queue.PutAsync(1);
        var batch = queue.TakeBatchAsync();
        Assert.True(await clock.WaitForTimerAsync());

        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(batch.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(new[] { 1 }, await batch.Safe());
        Assert.Equal(BatchingWorkQueue<int>.DefaultBatchTimeout, queue.BatchTimeout);
    }

    [Fact]
    public async Task Delay_PutWithoutADelay_IsDueNow()
    {
        var clock = new TestClock();
        var queue = new DelayWorkQueue<string>(timeProvider: clock);
        await queue.PutAsync("async");
        Assert.True(queue.TryPut("try"));

        Assert.True(queue.TryTake(out var first));
        Assert.True(queue.TryTake(out var second));
        Assert.Equal(("async", "try"), (first, second));
    }
}
