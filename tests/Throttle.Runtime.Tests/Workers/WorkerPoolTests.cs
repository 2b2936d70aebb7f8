using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Tests.Queues;
using Throttle.Workers;
using Xunit;
using Throttle.Testing;

namespace Throttle.Tests.Workers;

public sealed class WorkerPoolTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task SubmitAsync_ReturnsTheResult_OrTheException()
    {
        await using var pool = new WorkerPool(timeProvider: new TestClock());

        Assert.Equal(6, await pool.SubmitAsync(_ => ValueTask.FromResult(6)).Safe());
        await Assert.ThrowsAsync<TimeoutException>(() => pool.SubmitAsync<int>(_ => throw new TimeoutException()).Safe());
    }

    [Fact]
    public async Task ScalesUpByOnePerCheck_WhileLoadIsAboveTheThreshold_UpToMax_ThenDownToMin()
    {
        var clock = new TestClock();
        await using var pool = new WorkerPool(minWorkers: 1, maxWorkers: 3, scaleUpThreshold: 0.8, scaleDownThreshold: 0.2, checkInterval: Interval, timeProvider: clock);
        var decisions = new ConcurrentQueue<WorkerPoolScaledEventArgs>();
        pool.Scaled += (_, e) => decisions.Enqueue(e);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new SemaphoreSlim(0);
        var tasks = new List<Task<int>>();
        for (var i = 0; i < 5; i++)
        {
            var n = i;
            tasks.Add(pool.SubmitAsync(async _ =>
            {
                started.Release();
                await gate.Task;
                return n;
            }));
        }

        Assert.Equal(1, pool.WorkerCount);
        Assert.True(await started.WaitAsync(Recorder<int>.Safety));
        Assert.Equal(4, pool.QueueLength);

        clock.Advance(Interval); // load 4 / 1 = 4 > 0.8: a second worker
        Assert.Equal(2, pool.WorkerCount);
        Assert.True(await started.WaitAsync(Recorder<int>.Safety));
        Assert.Equal(3, pool.QueueLength);

        clock.Advance(Interval); // load 3 / 2 = 1.5: a third
        Assert.Equal(3, pool.WorkerCount);
        Assert.True(await started.WaitAsync(Recorder<int>.Safety));
        Assert.Equal(2, pool.QueueLength);

        clock.Advance(Interval); // load 2 / 3 = 0.67: within the thresholds, no change
        Assert.Equal(3, pool.WorkerCount);

        for (var i = 5; i < 8; i++)
        {
            var n = i;
            tasks.Add(pool.SubmitAsync(async _ =>
            {
                await gate.Task;
                return n;
            }));
        }

        clock.Advance(Interval); // load 5 / 3 > 0.8, but 3 is the maximum
        Assert.Equal(3, pool.WorkerCount);

        gate.SetResult();
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5, 6, 7 }, await Task.WhenAll(tasks).Safe());
        Assert.Equal(0, pool.QueueLength);

        clock.Advance(Interval); // load 0 < 0.2: one fewer
        Assert.Equal(2, pool.WorkerCount);
        clock.Advance(Interval);
        Assert.Equal(1, pool.WorkerCount);
        clock.Advance(Interval); // 1 is the minimum
        Assert.Equal(1, pool.WorkerCount);

        Assert.Equal(2, pool.ScaleUpCount);
        Assert.Equal(2, pool.ScaleDownCount);
        Assert.Equal(new[] { (1, 2), (2, 3), (3, 2), (2, 1) }, decisions.Select(d => (d.PreviousWorkers, d.Workers)));
        var first = decisions.First();
        Assert.Equal((4, 4.0), (first.QueueLength, first.Load));

        // The pool still works with its one remaining worker.
        Assert.Equal(9, await pool.SubmitAsync(_ => ValueTask.FromResult(9)).Safe());
    }

    [Fact]
    public async Task CancelledBeforeItStarts_TheTaskIsCancelledAndNeverRuns()
    {
        await using var pool = new WorkerPool(timeProvider: new TestClock());
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = pool.SubmitAsync(async _ =>
        {
            started.SetResult();
            await gate.Task;
            return 0;
        });
        await started.Task.Safe();
        using var cts = new CancellationTokenSource();
        var ran = false;
        var cancelled = pool.SubmitAsync(_ =>
        {
            ran = true;
            return ValueTask.FromResult(1);
        }, cts.Token);

        await cts.CancelAsync();
        gate.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.Safe());
        await blocker.Safe();
        await pool.DisposeAsync();
        Assert.False(ran);
    }

    [Fact]
    public async Task DisposeAsync_RunsEverySubmittedTask_ThenRefusesNewOnes()
    {
        var pool = new WorkerPool(timeProvider: new TestClock());
        var tasks = new List<Task<int>>();
        for (var i = 0; i < 20; i++)
        {
            var n = i;
            tasks.Add(pool.SubmitAsync(async _ =>
            {
                await Task.Yield();
                return n;
            }));
        }

        await pool.DisposeAsync().AsTask().Safe();

        Assert.All(tasks, t => Assert.True(t.IsCompletedSuccessfully));
        Assert.Throws<ObjectDisposedException>(() => { _ = pool.SubmitAsync(_ => ValueTask.FromResult(0)); });
    }

    [Fact]
    public void BadArguments_NameTheParameter()
    {
        var clock = new TestClock();
        Assert.Equal("minWorkers", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(minWorkers: 0, timeProvider: clock)).ParamName);
        Assert.Equal("maxWorkers", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(minWorkers: 3, maxWorkers: 2, timeProvider: clock)).ParamName);
        Assert.Equal("scaleDownThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(scaleDownThreshold: double.NaN, timeProvider: clock)).ParamName);
        Assert.Equal("scaleDownThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(scaleDownThreshold: -0.1, timeProvider: clock)).ParamName);
        Assert.Equal("scaleUpThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(scaleUpThreshold: double.PositiveInfinity, timeProvider: clock)).ParamName);
        Assert.Equal("scaleUpThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(scaleUpThreshold: 0.1, scaleDownThreshold: 0.2, timeProvider: clock)).ParamName);
        Assert.Equal("checkInterval", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(checkInterval: TimeSpan.Zero, timeProvider: clock)).ParamName);
        Assert.Equal("checkInterval", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(checkInterval: Timeout.InfiniteTimeSpan, timeProvider: clock)).ParamName);
    }

    [Fact]
    public async Task NullFunc_Throws()
    {
        await using var pool = new WorkerPool(timeProvider: new TestClock());
        Assert.Equal("func", Assert.Throws<ArgumentNullException>(() => { _ = pool.SubmitAsync<int>(null!); }).ParamName);
    }

    [Fact]
    public async Task SubmitAsync_WorkWithoutAResult_RunsInOrder_AndCompletesWithItsException()
    {
        await using var pool = new WorkerPool(timeProvider: new TestClock());
        var ran = new ConcurrentQueue<int>();

        var first = pool.SubmitAsync(_ =>
        {
            ran.Enqueue(1);
            return default;
        });
        var second = pool.SubmitAsync(async ct =>
        {
            await Task.Yield();
            ran.Enqueue(2);
        });
        var failing = pool.SubmitAsync(_ => throw new TimeoutException());

        await Task.WhenAll(first, second).Safe();
        Assert.Equal(new[] { 1, 2 }, ran);
        await Assert.ThrowsAsync<TimeoutException>(() => failing.Safe());
    }

    [Fact]
    public async Task SubmitAsync_WorkWithoutAResult_CancelledBeforeItStarts_NeverRuns_AndIsRefusedAfterDispose()
    {
        var pool = new WorkerPool(timeProvider: new TestClock());
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = pool.SubmitAsync(async _ =>
        {
            started.SetResult();
            await gate.Task;
        });
        await started.Task.Safe();
        using var cts = new CancellationTokenSource();
        var ran = false;
        var cancelled = pool.SubmitAsync(_ =>
        {
            ran = true;
            return default;
        }, cts.Token);

        await cts.CancelAsync();
        gate.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.Safe());
        await blocker.Safe();
        await pool.DisposeAsync().AsTask().Safe();
        Assert.False(ran);
        Assert.Throws<ObjectDisposedException>(() => { _ = pool.SubmitAsync(_ => default(ValueTask)); });
        Assert.Equal("func", Assert.Throws<ArgumentNullException>(() => { _ = pool.SubmitAsync((Func<CancellationToken, ValueTask>)null!); }).ParamName);
    }
}
