using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Queues;
using Xunit;

namespace Throttle.Tests.Queues;

public sealed class InvocationQueueTests
{
    private static Task<T> Enqueue<T>(InvocationQueue queue, Func<CancellationToken, ValueTask<T>> work, int priority = 0, CancellationToken cancellationToken = default) =>
        queue.EnqueueAsync(work, static (w, ct) => w(ct), priority, cancellationToken);

    /// <summary>Occupies the queue's only worker until the returned gate opens.</summary>
    private static async Task<(TaskCompletionSource Gate, Task<int> Blocker)> BlockAsync(InvocationQueue queue)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = Enqueue(queue, async _ =>
        {
            running.SetResult();
            await gate.Task;
            return -1;
        });
        await running.Task.Safe();
        return (gate, blocker);
    }

    [Fact]
    public async Task Result_And_Exception_ReachTheCaller()
    {
        await using var queue = new InvocationQueue();

        Assert.Equal(42, await Enqueue(queue, _ => ValueTask.FromResult(42)).Safe());
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => Enqueue<int>(queue, _ => throw new InvalidOperationException("inside")).Safe());
        Assert.Equal("inside", ex.Message);
        var asyncEx = await Assert.ThrowsAsync<FormatException>(() => Enqueue<int>(queue, async _ =>
        {
            await Task.Yield();
            throw new FormatException("later");
        }).Safe());
        Assert.Equal("later", asyncEx.Message);
    }

    [Fact]
    public async Task HigherPriorityRunsFirst()
    {
        await using var queue = new InvocationQueue();
        var (gate, blocker) = await BlockAsync(queue);
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        ValueTask<int> Note(string name)
        {
            order.Enqueue(name);
            return ValueTask.FromResult(0);
        }

        var low = Enqueue(queue, _ => Note("low"), priority: -5);
        var mid1 = Enqueue(queue, _ => Note("mid1"), priority: 0);
        var high = Enqueue(queue, _ => Note("high"), priority: 10);
        var mid2 = Enqueue(queue, _ => Note("mid2"), priority: 0);
        Assert.Equal(4, queue.Count);

        gate.SetResult();
        await Task.WhenAll(blocker, low, mid1, high, mid2).Safe();

        Assert.Equal(new[] { "high", "mid1", "mid2", "low" }, order);
    }

    [Fact]
    public async Task CancelledBeforeItRuns_IsRemoved_AndItsTaskCancelled()
    {
        await using var queue = new InvocationQueue();
        var (gate, blocker) = await BlockAsync(queue);
        using var cts = new CancellationTokenSource();
        var ran = false;
        var call = queue.EnqueueAsync(0, (_, _) =>
        {
            ran = true;
            return ValueTask.CompletedTask;
        }, 0, cts.Token);
        Assert.Equal(1, queue.Count);

        await cts.CancelAsync();

        Assert.Equal(0, queue.Count);
        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.Safe());
        Assert.Equal(cts.Token, cancelled.CancellationToken);
        gate.SetResult();
        await blocker.Safe();
        await queue.StopAsync().Safe();
        Assert.False(ran);
    }

    [Fact]
    public async Task TheCallersToken_IsPassedToTheWork()
    {
        await using var queue = new InvocationQueue();
        using var cts = new CancellationTokenSource();
        var received = await Enqueue(queue, ct => ValueTask.FromResult(ct), cancellationToken: cts.Token).Safe();
        Assert.Equal(cts.Token, received);
    }

    [Fact]
    public async Task AlreadyCancelledToken_NeverQueues()
    {
        await using var queue = new InvocationQueue();
        var call = Enqueue(queue, _ => ValueTask.FromResult(1), cancellationToken: new CancellationToken(true));
        Assert.True(call.IsCanceled);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task WhenFull_TheCallWaitsForRoom_AndCanBeCancelledWhileWaiting()
    {
        await using var queue = new InvocationQueue(workers: 1, maxSize: 1);
        var (gate, blocker) = await BlockAsync(queue);
        var queued = Enqueue(queue, _ => ValueTask.FromResult(1));
        var waiting = Enqueue(queue, _ => ValueTask.FromResult(2));
        using var cts = new CancellationTokenSource();
        var cancelledWhileWaiting = Enqueue(queue, _ => ValueTask.FromResult(3), cancellationToken: cts.Token);
        Assert.Equal(1, queue.Count);
        Assert.False(waiting.IsCompleted);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelledWhileWaiting.Safe());
        gate.SetResult();

        Assert.Equal(new[] { -1, 1, 2 }, await Task.WhenAll(blocker, queued, waiting).Safe());
    }

    [Fact]
    public async Task NoLostCall_HandBack_FailsTheWaitingCallsWithQueueStopped()
    {
        var queue = new InvocationQueue();
        var (gate, blocker) = await BlockAsync(queue);
        var waiting1 = Enqueue(queue, _ => ValueTask.FromResult(1));
        var waiting2 = queue.EnqueueAsync(0, (_, _) => ValueTask.CompletedTask, 0, CancellationToken.None);

        var stopping = queue.StopAsync(QueueStopMode.HandBack);
        gate.SetResult();

        Assert.Equal(2, await stopping.Safe());
        Assert.Equal(-1, await blocker.Safe());
        await Assert.ThrowsAsync<QueueStoppedException>(() => waiting1.Safe());
        await Assert.ThrowsAsync<QueueStoppedException>(() => waiting2.Safe());
        await Assert.ThrowsAsync<QueueStoppedException>(() => Enqueue(queue, _ => ValueTask.FromResult(3)).Safe());
    }

    [Fact]
    public async Task NoLostCall_Drain_RunsTheWaitingCalls()
    {
        var queue = new InvocationQueue();
        var (gate, blocker) = await BlockAsync(queue);
        var waiting = Enqueue(queue, _ => ValueTask.FromResult(1));

        var stopping = queue.StopAsync(QueueStopMode.Drain);
        await Assert.ThrowsAsync<QueueStoppedException>(() => Enqueue(queue, _ => ValueTask.FromResult(3)).Safe());
        gate.SetResult();

        Assert.Equal(0, await stopping.Safe());
        Assert.Equal(new[] { -1, 1 }, await Task.WhenAll(blocker, waiting).Safe());
        Assert.Equal(WorkQueueState.Stopped, queue.State);
    }

    [Fact]
    public async Task StoppedBeforeFirstUse_FailsCallsWithQueueStopped()
    {
        var queue = new InvocationQueue();
        Assert.Equal(0, await queue.StopAsync().Safe());
        await Assert.ThrowsAsync<QueueStoppedException>(() => Enqueue(queue, _ => ValueTask.FromResult(1)).Safe());
    }

    [Fact]
    public async Task BadArguments_NameTheParameter()
    {
        Assert.Equal("workers", Assert.Throws<ArgumentOutOfRangeException>(() => new InvocationQueue(workers: 0)).ParamName);
        Assert.Equal("maxSize", Assert.Throws<ArgumentOutOfRangeException>(() => new InvocationQueue(maxSize: 0)).ParamName);
        await using var queue = new InvocationQueue();
        Assert.Equal("work", Assert.Throws<ArgumentNullException>(() => { _ = queue.EnqueueAsync<int, int>(1, null!, 0, default); }).ParamName);
        Assert.Equal("work", Assert.Throws<ArgumentNullException>(() => { _ = queue.EnqueueAsync<int>(1, null!, 0, default); }).ParamName);
    }
}
