using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Queues;
using Throttle.Testing;
using Xunit;

namespace Throttle.Tests.Queues;

/// <summary>The pull contract every queue kind keeps: order, cancellation, back-pressure and stop.</summary>
public sealed class PullWorkQueueTests
{
    [Theory, AllPullKinds]
    public async Task ItemsAreTakenInPutOrder_ByTakeAsync_TryTake_AndReadAllAsync(string kind)
    {
        var pull = PullQueue.Create(kind);
        for (var i = 1; i <= 6; i++)
        {
            await pull.PutAsync(i, CancellationToken.None);
        }

        Assert.True(pull.Queue.CanTake);
        Assert.Equal(0, pull.Queue.Workers);
        Assert.Equal(1, await pull.Queue.TakeAsync().Safe());
        Assert.True(pull.Queue.TryTake(out var second));
        Assert.Equal(2, second);

        var read = new List<int>();
        await foreach (var item in pull.Queue.ReadAllAsync())
        {
            read.Add(item);
            if (read.Count == 4)
            {
                break;
            }
        }

        Assert.Equal(new[] { 3, 4, 5, 6 }, read);
        Assert.Equal(0, pull.Queue.Count);
        Assert.False(pull.Queue.TryTake(out _));
    }

    [Theory, AllPullKinds]
    public async Task AWaitingTake_GetsTheNextPut(string kind)
    {
        var pull = PullQueue.Create(kind);
        var take = pull.Queue.TakeAsync();
        Assert.False(take.IsCompleted);

        await pull.PutAsync(7, CancellationToken.None);

        Assert.Equal(7, await take.Safe());
    }

    [Theory, AllPullKinds]
    public async Task ACancelledTake_LeavesTheItemQueued_EvenWhenThePutRacesTheCancel(string kind)
    {
        // Race a put against the cancel of a waiting take, many times: the item is taken, or it stays queued; never lost, never twice.
        const int Rounds = 300;
        var pull = PullQueue.Create(kind);
        var taken = 0;
        var leftInQueue = 0;
        for (var round = 0; round < Rounds; round++)
        {
            using var cts = new CancellationTokenSource();
            var take = pull.Queue.TakeAsync(cts.Token).AsTask();
            switch (round % 3)
            {
                case 0:
                    // The put wakes the take, and the cancel lands before the woken take has run: the window that loses items.
                    Assert.True(pull.TryPut(round));
                    await cts.CancelAsync();
                    break;
                case 1:
                    await cts.CancelAsync();
                    Assert.True(pull.TryPut(round));
                    break;
                default:
                    using (var start = new Barrier(2))
                    {
                        var put = Task.Run(() =>
                        {
                            start.SignalAndWait();
                            Assert.True(pull.TryPut(round));
                        });
                        var cancel = Task.Run(() =>
                        {
                            start.SignalAndWait();
                            cts.Cancel();
                        });
                        await Task.WhenAll(put, cancel).Safe();
                    }

                    break;
            }

            try
            {
                Assert.Equal(round, await take.Safe());
                Assert.NotEqual(1, round % 3); // cancelled first: the take must not have taken the later put
                taken++;
            }
            catch (OperationCanceledException)
            {
                Assert.True(pull.Queue.TryTake(out var item), $"round {round}: the cancelled take lost the item");
                Assert.Equal(round, item);
                leftInQueue++;
            }

            Assert.Equal(0, pull.Queue.Count);
        }

        Assert.Equal(Rounds, taken + leftInQueue);
    }

    [Theory, AllPullKinds]
    public async Task ATakeCancelledBeforeAnyPut_TakesNothing(string kind)
    {
        var pull = PullQueue.Create(kind);
        using var cts = new CancellationTokenSource();
        var take = pull.Queue.TakeAsync(cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => take.Safe());

        await pull.PutAsync(1, CancellationToken.None);

        Assert.Equal(1, pull.Queue.Count);
        Assert.Equal(1, await pull.Queue.TakeAsync().Safe());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pull.Queue.TakeAsync(cts.Token).Safe());
    }

    [Theory, AllPullKinds]
    public async Task APutterWaitingForRoom_GetsInWhenAConsumerTakes(string kind)
    {
        var pull = PullQueue.Create(kind, maxSize: 1);
        Assert.True(pull.TryPut(1));
        var waiting = pull.PutAsync(2, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        Assert.False(pull.TryPut(3));

        Assert.Equal(1, await pull.Queue.TakeAsync().Safe());

        await waiting.Safe();
        Assert.Equal(2, await pull.Queue.TakeAsync().Safe());
    }

    [Theory, AllPullKinds]
    public async Task AStoppedEmptyQueue_ThrowsQueueStoppedExceptionAtOnce_AndReadAllEnds(string kind)
    {
        var pull = PullQueue.Create(kind);
        var waiting = pull.Queue.TakeAsync();

        Assert.Empty(await pull.Queue.StopAsync().Safe());

        await Assert.ThrowsAsync<QueueStoppedException>(() => waiting.Safe());
        Assert.Throws<QueueStoppedException>(() => pull.Queue.TakeAsync());
        Assert.Throws<QueueStoppedException>(() => pull.Queue.TryTake(out _));
        Assert.Throws<QueueStoppedException>(() => pull.TryPut(1));
        await foreach (var item in pull.Queue.ReadAllAsync())
        {
            Assert.Fail($"a stopped, empty queue yielded {item}");
        }

        Assert.Equal(WorkQueueState.Stopped, pull.Queue.State);
    }

    [Theory, AllPullKinds]
    public async Task Drain_RefusesPuts_LetsConsumersTakeWhatIsLeft_AndCompletesWhenTheyHave(string kind)
    {
        var pull = PullQueue.Create(kind, maxSize: 3);
        for (var i = 1; i <= 3; i++)
        {
            Assert.True(pull.TryPut(i));
        }

        var blockedPutter = pull.PutAsync(4, CancellationToken.None);
        var stop = pull.Queue.StopAsync(QueueStopMode.Drain);

        await Assert.ThrowsAsync<QueueStoppedException>(() => blockedPutter.Safe());
        Assert.Throws<QueueStoppedException>(() => pull.TryPut(5));
        Assert.Equal(WorkQueueState.Stopping, pull.Queue.State);
        Assert.Equal(1, await pull.Queue.TakeAsync().Safe());
        Assert.False(stop.IsCompleted);

        var rest = new List<int>();
        await foreach (var item in pull.Queue.ReadAllAsync())
        {
            rest.Add(item); // ends by itself: the stopped queue is empty
        }

        Assert.Equal(new[] { 2, 3 }, rest);
        Assert.Empty(await stop.Safe());
        Assert.Equal(WorkQueueState.Stopped, pull.Queue.State);
        Assert.Throws<QueueStoppedException>(() => pull.Queue.TakeAsync());
    }

    [Theory, AllPullKinds]
    public async Task ADrainWhoseTokenIsCancelled_HandsBackTheRest(string kind)
    {
        var pull = PullQueue.Create(kind);
        for (var i = 1; i <= 3; i++)
        {
            await pull.PutAsync(i, CancellationToken.None);
        }

        using var cts = new CancellationTokenSource();
        var stop = pull.Queue.StopAsync(QueueStopMode.Drain, cts.Token);
        Assert.Equal(1, await pull.Queue.TakeAsync().Safe());
        await cts.CancelAsync();

        Assert.Equal(new[] { 2, 3 }, await stop.Safe());
        Assert.Throws<QueueStoppedException>(() => pull.Queue.TryTake(out _));
    }

    [Theory, AllPullKinds]
    public async Task HandBack_ReturnsWhatIsLeftAtOnce_AndWaitingConsumersAreStopped(string kind)
    {
        var pull = PullQueue.Create(kind);
        await pull.PutAsync(1, CancellationToken.None);
        await pull.PutAsync(2, CancellationToken.None);

        Assert.Equal(new[] { 1, 2 }, await pull.Queue.StopAsync(QueueStopMode.HandBack).Safe());

        await Assert.ThrowsAsync<QueueStoppedException>(() => pull.Queue.TakeAsync().Safe());
    }

    [Theory, AllPullKinds]
    public async Task Dispose_DoesNotWaitForConsumers_AndAwaitsADrainUnderWay(string kind)
    {
        var leftover = PullQueue.Create(kind);
        await leftover.PutAsync(1, CancellationToken.None);
        await leftover.Queue.DisposeAsync().AsTask().Safe(); // nobody takes: disposing discards instead of hanging
        Assert.Equal(WorkQueueState.Stopped, leftover.Queue.State);

        var draining = PullQueue.Create(kind);
        await draining.PutAsync(1, CancellationToken.None);
        var stop = draining.Queue.StopAsync(QueueStopMode.Drain);
        var dispose = draining.Queue.DisposeAsync().AsTask();
        Assert.False(dispose.IsCompleted);
        Assert.Equal(1, await draining.Queue.TakeAsync().Safe());
        await dispose.Safe();
        Assert.Empty(await stop.Safe());
    }

    [Theory, AllPullKinds]
    public void APullQueueCannotBeStarted(string kind)
    {
        var pull = PullQueue.Create(kind);
        var error = Assert.Throws<InvalidOperationException>(() => { _ = pull.Queue.StartAsync(); });
        Assert.Contains("without a handler", error.Message, StringComparison.Ordinal);
    }

    [Theory, AllPullKinds]
    public async Task APushQueueRefusesTakes(string kind)
    {
        WorkQueue<int> push = kind switch
        {
            "fifo" => new FifoWorkQueue<int>((_, _) => default),
            "priority" => new PriorityWorkQueue<int>((_, _) => default),
            "delay" => new DelayWorkQueue<int>((_, _) => default),
            "dedupe" => new DedupeWorkQueue<int>((_, _) => default),
            _ => new BatchingWorkQueue<int>((_, _) => default),
        };

        Assert.False(push.CanTake);
        var error = Assert.Throws<InvalidOperationException>(() => push.TakeAsync());
        Assert.IsNotType<QueueStoppedException>(error);
        Assert.Contains("created with a handler", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => push.TryTake(out _));
        Assert.Throws<InvalidOperationException>(() => push.ReadAllAsync());
        if (push is BatchingWorkQueue<int> batching)
        {
            Assert.Throws<InvalidOperationException>(() => batching.TryTakeBatch(out _));
            await Assert.ThrowsAsync<InvalidOperationException>(() => batching.TakeBatchAsync().AsTask());
            Assert.Throws<InvalidOperationException>(() => batching.ReadAllBatchesAsync());
        }

        await push.DisposeAsync();
    }

    [Fact]
    public async Task SeveralConsumers_ShareTheItems_EachTakenOnce()
    {
        var queue = new FifoWorkQueue<int>(maxSize: 16);
        var consumers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var mine = new List<int>();
            await foreach (var item in queue.ReadAllAsync())
            {
                mine.Add(item);
            }

            return mine;
        })).ToArray();

        for (var i = 0; i < 1000; i++)
        {
            await queue.PutAsync(i);
        }

        await queue.StopAsync().Safe();
        var all = (await Task.WhenAll(consumers).Safe()).SelectMany(x => x).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 1000), all);
    }
}
