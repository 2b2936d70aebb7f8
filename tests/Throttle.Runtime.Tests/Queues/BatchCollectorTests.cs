using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Queues;
using Xunit;
using Throttle.Testing;

namespace Throttle.Tests.Queues;

public sealed class BatchCollectorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task FlushesEachFullBatch_WhenItFills()
    {
        var clock = new TestClock();
        var batches = new Recorder<int[]>();
        await using var collector = new BatchCollector<int>(3, Timeout, (b, _) => batches.Add(b.ToArray()), clock);

        for (var i = 1; i <= 7; i++)
        {
            await collector.AddAsync(i);
        }

        var flushed = await batches.NextAsync(2);
        Assert.Equal(new[] { 1, 2, 3 }, flushed[0]);
        Assert.Equal(new[] { 4, 5, 6 }, flushed[1]);
        Assert.Equal(1, collector.Count);
    }

    [Fact]
    public async Task FlushesAPartialBatch_WhenTheTimeoutSinceTheLastFlushPasses()
    {
        var clock = new TestClock();
        var batches = new Recorder<int[]>();
        await using var collector = new BatchCollector<int>(10, Timeout, (b, _) => batches.Add(b.ToArray()), clock);
        await collector.AddAsync(1);
        await collector.AddAsync(2);

        clock.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(batches.TryNext(out _));
        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(new[] { 1, 2 }, (await batches.NextAsync(1))[0]);
        Assert.Equal(0, collector.Count);
    }

    [Fact]
    public async Task ASizeFlush_RestartsTheTimeout()
    {
        var clock = new TestClock();
        var batches = new Recorder<int[]>();
        await using var collector = new BatchCollector<int>(2, Timeout, (b, _) => batches.Add(b.ToArray()), clock);
        clock.Advance(TimeSpan.FromMilliseconds(600));
        await collector.AddAsync(1);
        await collector.AddAsync(2); // size flush at 0.6 s: the next timeout is at 1.6 s, not 1.0 s
        await collector.AddAsync(3);
        Assert.Equal(new[] { 1, 2 }, (await batches.NextAsync(1))[0]);

        clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.False(batches.TryNext(out _));
        clock.Advance(TimeSpan.FromMilliseconds(500));

        Assert.Equal(new[] { 3 }, (await batches.NextAsync(1))[0]);
    }

    [Fact]
    public async Task DisposeAsync_FlushesWhatItHolds_ThenRefusesItems()
    {
        var batches = new Recorder<int[]>();
        var collector = new BatchCollector<int>(2, Timeout, (b, _) => batches.Add(b.ToArray()), new TestClock());
        for (var i = 1; i <= 3; i++)
        {
            await collector.AddAsync(i);
        }

        await collector.DisposeAsync();

        var flushed = await batches.NextAsync(2);
        Assert.Equal(new[] { 3 }, flushed[1]);
        Assert.Throws<ObjectDisposedException>(() => collector.AddAsync(4));
    }

    [Fact]
    public async Task CallbackException_ReachesTheAdder_OrTheEventForATimerFlush()
    {
        var clock = new TestClock();
        var failed = new TaskCompletionSource<WorkFailedEventArgs<int>>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var collector = new BatchCollector<int>(2, Timeout, (_, _) => throw new InvalidOperationException("sink down"), clock);
        collector.FlushFailed += (_, e) => failed.TrySetResult(e);

        await collector.AddAsync(1);
        await Assert.ThrowsAsync<InvalidOperationException>(() => collector.AddAsync(2).Safe());
        await collector.AddAsync(3);
        clock.Advance(Timeout);

        var failure = await failed.Task.Safe();
        Assert.Equal(new[] { 3 }, failure.Items);
        Assert.Equal("sink down", failure.Exception.Message);
    }

    [Fact]
    public void BadArguments_NameTheParameter()
    {
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchCollector<int>(0, Timeout, (_, _) => default)).ParamName);
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => new BatchCollector<int>(1, Timeout, null!)).ParamName);
        foreach (var bad in new[] { TimeSpan.Zero, TimeSpan.FromTicks(-1), System.Threading.Timeout.InfiniteTimeSpan, TimeSpan.MaxValue })
        {
            Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchCollector<int>(1, bad, (_, _) => default)).ParamName);
        }

        var collector = new BatchCollector<string>(1, Timeout, (_, _) => default, new TestClock());
        Assert.Equal("item", Assert.Throws<ArgumentNullException>(() => collector.AddAsync(null!)).ParamName);
    }
}
