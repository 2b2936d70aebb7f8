using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Queues;
using Throttle.Testing;
using Xunit;

namespace Throttle.Tests.Queues;

/// <summary>
/// Callers waiting for room in a full queue get in oldest first (README, "Queues and workers"), a cancelled waiter
/// leaves the line without costing anyone a slot, and a stop fails the waiters. Every kind of queue: one worker, one
/// slot; the worker is held on item 0 and the slot by item 100, so callers 1..6 all wait.
/// </summary>
public sealed class WaitingPutterOrderTests
{
    private const int Blocker = 0;
    private const int Filler = 100;

    public static TheoryData<string> Kinds => new() { "invocation", "priority", "delay", "dedupe", "fifo", "batching" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task SixWaitingCallers_AreLetIn_OldestFirst(string kind)
    {
        await using var subject = await Subject.FullAsync(kind);
        var callers = Enumerable.Range(1, 6).Select(i => subject.Put(i, CancellationToken.None)).ToArray();
        Assert.All(callers, c => Assert.False(c.IsCompleted));

        subject.Gate.SetResult();
        await Task.WhenAll(callers).Safe();

        Assert.Equal(new[] { Filler, 1, 2, 3, 4, 5, 6 }, await subject.Seen.NextAsync(7));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task CancelledWaiters_LeaveTheLine_TheRestKeepOrder_AndNoSlotIsLost(string kind)
    {
        await using var subject = await Subject.FullAsync(kind);
        using var first = new CancellationTokenSource();
        using var middle = new CancellationTokenSource();
        var callers = new[]
        {
            subject.Put(1, first.Token),
            subject.Put(2, CancellationToken.None),
            subject.Put(3, middle.Token),
            subject.Put(4, CancellationToken.None),
            subject.Put(5, CancellationToken.None),
        };

        await first.CancelAsync();
        await middle.CancelAsync();
        Assert.Equal(first.Token, (await Assert.ThrowsAnyAsync<OperationCanceledException>(() => callers[0].Safe())).CancellationToken);
        Assert.Equal(middle.Token, (await Assert.ThrowsAnyAsync<OperationCanceledException>(() => callers[2].Safe())).CancellationToken);
        var late = subject.Put(6, CancellationToken.None);

        // Each slot freed from here on must reach a live waiter: a slot lost to a cancelled one would hang these puts.
        subject.Gate.SetResult();
        await Task.WhenAll(callers[1], callers[3], callers[4], late).Safe();

        Assert.Equal(new[] { Filler, 2, 4, 5, 6 }, await subject.Seen.NextAsync(5));
        await subject.Put(7, CancellationToken.None).Safe();
        Assert.Equal(new[] { 7 }, await subject.Seen.NextAsync(1));
        Assert.Equal(0, subject.Count());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task HandBack_FailsTheWaiters_WithQueueStopped(string kind)
    {
        await using var subject = await Subject.FullAsync(kind);
        var callers = Enumerable.Range(1, 3).Select(i => subject.Put(i, CancellationToken.None)).ToArray();

        var stopping = subject.Stop(QueueStopMode.HandBack);
        foreach (var caller in callers)
        {
            await Assert.ThrowsAsync<QueueStoppedException>(() => caller.Safe());
        }

        subject.Gate.SetResult();
        Assert.Equal(1, await stopping.Safe()); // the filler: accepted, never run
        Assert.Equal(new[] { Blocker }, subject.Seen.All);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Drain_FailsTheWaiters_AndRunsWhatWasAccepted(string kind)
    {
        await using var subject = await Subject.FullAsync(kind);
        var callers = Enumerable.Range(1, 3).Select(i => subject.Put(i, CancellationToken.None)).ToArray();

        var stopping = subject.Stop(QueueStopMode.Drain);
        foreach (var caller in callers)
        {
            await Assert.ThrowsAsync<QueueStoppedException>(() => caller.Safe());
        }

        subject.Gate.SetResult();
        Assert.Equal(0, await stopping.Safe());
        Assert.Equal(new[] { Blocker, Filler }, subject.Seen.All);
    }

    /// <summary>One queue of each kind behind the same three operations.</summary>
    private sealed class Subject : IAsyncDisposable
    {
        private Func<int, CancellationToken, Task> _put = null!;
        private Func<int> _count = null!;
        private Func<QueueStopMode, Task<int>> _stop = null!;

        public Recorder<int> Seen { get; } = new();

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the item is queued (for <see cref="InvocationQueue"/>: when the call has run).</summary>
        public Task Put(int item, CancellationToken cancellationToken) => _put(item, cancellationToken);

        /// <summary>Items queued, not yet taken by the worker.</summary>
        public int Count() => _count();

        /// <summary>Stops the queue; the count of accepted items that never ran.</summary>
        public Task<int> Stop(QueueStopMode mode) => _stop(mode);

        /// <summary>A queue of one worker and one slot, its worker held on item 0 and its slot taken by item 100.</summary>
        public static async Task<Subject> FullAsync(string kind)
        {
            var subject = new Subject();
            subject.Create(kind);
            // Not awaited: a queued call's task completes only once it has run.
            _ = subject.Put(Blocker, CancellationToken.None);
            Assert.Equal(new[] { Blocker }, await subject.Seen.NextAsync(1));
            _ = subject.Put(Filler, CancellationToken.None);
            Assert.Equal(1, subject.Count());
            return subject;
        }

        public async ValueTask DisposeAsync()
        {
            Gate.TrySetResult();
            await Stop(QueueStopMode.Drain).Safe();
        }

        private async ValueTask Handle(int item, CancellationToken cancellationToken)
        {
            await Seen.Add(item);
            if (item == Blocker)
            {
                await Gate.Task.WaitAsync(cancellationToken);
            }
        }

        private void Create(string kind)
        {
            switch (kind)
            {
                case "invocation":
                    var invocations = new InvocationQueue(workers: 1, maxSize: 1);
                    _put = (i, ct) => invocations.EnqueueAsync(i, (item, _) => Handle(item, CancellationToken.None), 0, ct);
                    _count = () => invocations.Count;
                    _stop = mode => invocations.StopAsync(mode);
                    return;
                case "priority":
                    var priority = Started(new PriorityWorkQueue<int>(Handle, workers: 1, maxSize: 1));
                    _put = (i, ct) => priority.PutAsync(i, 0, ct).AsTask();
                    _count = () => priority.Count;
                    _stop = StopOf(priority);
                    return;
                case "delay":
                    var delay = Started(new DelayWorkQueue<int>(Handle, workers: 1, maxSize: 1, timeProvider: new TestClock()));
                    _put = (i, ct) => delay.PutAsync(i, TimeSpan.Zero, ct).AsTask();
                    _count = () => delay.Count;
                    _stop = StopOf(delay);
                    return;
                case "dedupe":
                    var dedupe = Started(new DedupeWorkQueue<int>(Handle, workers: 1, maxSize: 1));
                    _put = async (i, ct) => Assert.Equal(DedupeResult.Accepted, await dedupe.PutAsync(i, ct));
                    _count = () => dedupe.Count;
                    _stop = StopOf(dedupe);
                    return;
                case "fifo":
                    var fifo = Started(new FifoWorkQueue<int>(Handle, workers: 1, maxSize: 1));
                    _put = (i, ct) => fifo.PutAsync(i, ct).AsTask();
                    _count = () => fifo.Count;
                    _stop = StopOf(fifo);
                    return;
                default:
                    var batching = Started(new BatchingWorkQueue<int>(
                        async (batch, ct) =>
                        {
                            foreach (var item in batch)
                            {
                                await Handle(item, ct);
                            }
                        },
                        batchSize: 1,
                        batchTimeout: TimeSpan.Zero,
                        workers: 1,
                        maxSize: 1));
                    _put = (i, ct) => batching.PutAsync(i, ct).AsTask();
                    _count = () => batching.Count;
                    _stop = StopOf(batching);
                    return;
            }
        }

        private static TQueue Started<TQueue>(TQueue queue)
            where TQueue : WorkQueue<int>
        {
            queue.StartAsync().GetAwaiter().GetResult();
            return queue;
        }

        private static Func<QueueStopMode, Task<int>> StopOf(WorkQueue<int> queue) =>
            async mode => (await queue.StopAsync(mode)).Count;
    }
}
