using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Queues;
using Xunit;
using Throttle.Testing;

namespace Throttle.Tests.Queues;

public sealed class BatchingWorkQueueTests
{
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task FullBatchesGoAtOnce_APartialBatchWhenTheTimeoutPasses()
    {
        var clock = new TestClock();
        var batches = new Recorder<int[]>();
        var queue = new BatchingWorkQueue<int>((b, _) => batches.Add(b.ToArray()), batchSize: 3, BatchTimeout, timeProvider: clock);
        for (var i = 1; i <= 7; i++)
        {
            await queue.PutAsync(i);
        }

        await queue.StartAsync();

        var full = await batches.NextAsync(2);
        Assert.Equal(new[] { 1, 2, 3 }, full[0]);
        Assert.Equal(new[] { 4, 5, 6 }, full[1]);

        // Item 7 waits for company: the worker sets a timeout timer and sends nothing until it fires.
        Assert.True(clock.WaitForTimer());
        clock.Advance(BatchTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(batches.TryNext(out _));
        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(new[] { 7 }, (await batches.NextAsync(1))[0]);
        await queue.StopAsync().Safe();
    }

    [Fact]
    public async Task ItemsArrivingBeforeTheTimeout_JoinTheBatch()
    {
        var clock = new TestClock();
        var batches = new Recorder<int[]>();
        var queue = new BatchingWorkQueue<int>((b, _) => batches.Add(b.ToArray()), batchSize: 3, BatchTimeout, timeProvider: clock);
        await queue.StartAsync();

        await queue.PutAsync(1);
        Assert.True(clock.WaitForTimer());
        clock.Advance(TimeSpan.FromSeconds(5));
        await queue.PutAsync(2);
        await queue.PutAsync(3);

        Assert.Equal(new[] { 1, 2, 3 }, (await batches.NextAsync(1))[0]);
        await queue.StopAsync().Safe();
    }

    [Fact]
    public async Task Drain_SendsThePartialBatchWithoutWaitingForTheTimeout()
    {
        var clock = new TestClock();
        var batches = new Recorder<int[]>();
        var queue = new BatchingWorkQueue<int>((b, _) => batches.Add(b.ToArray()), batchSize: 5, BatchTimeout, timeProvider: clock);
        await queue.StartAsync();
        await queue.PutAsync(1);
        await queue.PutAsync(2);
        Assert.True(clock.WaitForTimer());

        Assert.Empty(await queue.StopAsync(QueueStopMode.Drain).Safe());

        Assert.Equal(new[] { 1, 2 }, (await batches.NextAsync(1))[0]);
    }

    [Fact]
    public async Task BatchFnException_IsReportedWithTheBatch()
    {
        var failed = new TaskCompletionSource<WorkFailedEventArgs<int>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new BatchingWorkQueue<int>((_, _) => throw new InvalidOperationException("bulk insert failed"), batchSize: 2, TimeSpan.Zero);
        queue.ItemFailed += (_, e) => failed.TrySetResult(e);
        await queue.PutAsync(1);
        await queue.PutAsync(2);

        await queue.StartAsync();

        var failure = await failed.Task.Safe();
        Assert.Equal(new[] { 1, 2 }, failure.Items);
        await queue.StopAsync().Safe();
        Assert.Equal(1, queue.FailedCount);
    }

    public static TheoryData<TimeSpan> BadTimeouts => new()
    {
        TimeSpan.FromTicks(-1), Timeout.InfiniteTimeSpan, TimeSpan.MaxValue, TimeSpan.MinValue,
    };

    [Theory]
    [MemberData(nameof(BadTimeouts))]
    public void BadTimeout_Throws(TimeSpan timeout) =>
        Assert.Equal("batchTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchingWorkQueue<int>((_, _) => default, 2, timeout)).ParamName);

    [Fact]
    public void BadArguments_NameTheParameter()
    {
        Func<IReadOnlyList<int>, CancellationToken, ValueTask> ok = (_, _) => default;
        Assert.Equal("batchFn", Assert.Throws<ArgumentNullException>(() => new BatchingWorkQueue<int>(null!, 2, BatchTimeout)).ParamName);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchingWorkQueue<int>(ok, 0, BatchTimeout)).ParamName);
        Assert.Equal("workers", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchingWorkQueue<int>(ok, 2, BatchTimeout, workers: 0)).ParamName);
        Assert.Equal("maxSize", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchingWorkQueue<int>(ok, 2, BatchTimeout, maxSize: 0)).ParamName);
        Assert.Equal("item", Assert.Throws<ArgumentNullException>(() => new BatchingWorkQueue<string>((_, _) => default, 2, BatchTimeout).TryPut(null!)).ParamName);
    }
}
