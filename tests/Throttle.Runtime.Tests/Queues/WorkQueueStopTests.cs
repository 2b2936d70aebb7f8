using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Queues;
using Xunit;

namespace Throttle.Tests.Queues;

/// <summary>No lost item across a stop: every accepted item either ran or was handed back.</summary>
public sealed class WorkQueueStopTests
{
    public static TheoryData<string> Kinds => new() { "priority", "fifo", "delay", "dedupe" };

    /// <summary>A queue of one worker whose handler blocks on item 0 until the gate opens.</summary>
    private static (WorkQueue<int> Queue, Func<int, bool> TryPut) Create(string kind, Recorder<int> seen, Task gate)
    {
        async ValueTask Handle(int item, CancellationToken cancellationToken)
        {
            await seen.Add(item);
            if (item == 0)
            {
                await gate.WaitAsync(cancellationToken);
            }
        }

        switch (kind)
        {
            case "priority":
                var p = new PriorityWorkQueue<int>(Handle);
                return (p, i => p.TryPut(i, -i)); // lower numbers first, like the others
            case "fifo":
                var f = new FifoWorkQueue<int>(Handle);
                return (f, f.TryPut);
            case "delay":
                var d = new DelayWorkQueue<int>(Handle);
                return (d, i => d.TryPut(i, TimeSpan.Zero));
            default:
                var u = new DedupeWorkQueue<int>(Handle);
                return (u, i => u.TryPut(i) == DedupeResult.Accepted);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Drain_RunsEveryWaitingItem_ThenRefusesPuts(string kind)
    {
        var seen = new Recorder<int>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (queue, tryPut) = Create(kind, seen, gate.Task);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(tryPut(i));
        }

        await queue.StartAsync();
        Assert.Equal(new[] { 0 }, await seen.NextAsync(1));

        var stopping = queue.StopAsync(QueueStopMode.Drain);
        Assert.Equal(WorkQueueState.Stopping, queue.State);
        Assert.Throws<QueueStoppedException>(() => tryPut(99));
        gate.SetResult();

        Assert.Empty(await stopping.Safe());
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, seen.All);
        Assert.Equal(WorkQueueState.Stopped, queue.State);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task HandBack_FinishesTheRunningItem_AndReturnsTheRest(string kind)
    {
        var seen = new Recorder<int>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (queue, tryPut) = Create(kind, seen, gate.Task);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(tryPut(i));
        }

        await queue.StartAsync();
        Assert.Equal(new[] { 0 }, await seen.NextAsync(1));

        var stopping = queue.StopAsync(QueueStopMode.HandBack);
        Assert.False(stopping.IsCompleted); // item 0 is still running
        gate.SetResult();

        Assert.Equal(new[] { 1, 2, 3, 4 }, await stopping.Safe());
        Assert.Equal(new[] { 0 }, seen.All);
        Assert.Equal(1, queue.ProcessedCount);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task CancelledDrain_HandsBackTheRest_AndCancelsTheRunningHandler(string kind)
    {
        var seen = new Recorder<int>();
        var never = new TaskCompletionSource().Task;
        var (queue, tryPut) = Create(kind, seen, never);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(tryPut(i));
        }

        await queue.StartAsync();
        Assert.Equal(new[] { 0 }, await seen.NextAsync(1));
        using var bound = new CancellationTokenSource();
        var stopping = queue.StopAsync(QueueStopMode.Drain, bound.Token);

        await bound.CancelAsync();

        Assert.Equal(new[] { 1, 2 }, await stopping.Safe());
        Assert.Equal(1, queue.FailedCount); // item 0's handler saw the cancellation
        Assert.Equal(WorkQueueState.Stopped, queue.State);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task NeverStarted_StopHandsBackEverything(string kind)
    {
        var seen = new Recorder<int>();
        var (queue, tryPut) = Create(kind, seen, Task.CompletedTask);
        Assert.True(tryPut(0));
        Assert.True(tryPut(1));

        Assert.Equal(new[] { 0, 1 }, await queue.StopAsync(QueueStopMode.Drain).Safe());
        Assert.Empty(seen.All);
        await Assert.ThrowsAsync<InvalidOperationException>(() => queue.StartAsync());
    }

    [Fact]
    public async Task PutAsync_WaitingForRoom_FailsWhenTheQueueStops()
    {
        var queue = new FifoWorkQueue<int>((_, _) => default, maxSize: 1);
        await queue.PutAsync(1);
        var waiting = queue.PutAsync(2);
        var heapQueue = new PriorityWorkQueue<int>((_, _) => default, maxSize: 1);
        await heapQueue.PutAsync(1);
        var heapWaiting = heapQueue.PutAsync(2);

        Assert.Equal(new[] { 1 }, await queue.StopAsync(QueueStopMode.HandBack).Safe());
        Assert.Equal(new[] { 1 }, await heapQueue.StopAsync(QueueStopMode.HandBack).Safe());

        await Assert.ThrowsAsync<QueueStoppedException>(() => waiting.Safe());
        await Assert.ThrowsAsync<QueueStoppedException>(() => heapWaiting.Safe());
        await Assert.ThrowsAsync<QueueStoppedException>(() => queue.PutAsync(3).Safe());
        await Assert.ThrowsAsync<QueueStoppedException>(() => heapQueue.PutAsync(3).Safe());
    }

    [Fact]
    public async Task StopAsync_Twice_ReturnsTheSameStop()
    {
        var queue = new FifoWorkQueue<int>((_, _) => default);
        await queue.StartAsync();
        var first = queue.StopAsync();
        Assert.Same(first, queue.StopAsync(QueueStopMode.HandBack));
        await first.Safe();
        await queue.DisposeAsync();
    }
}
