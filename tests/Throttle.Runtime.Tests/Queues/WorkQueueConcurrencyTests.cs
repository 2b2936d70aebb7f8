using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Queues;
using Xunit;

namespace Throttle.Tests.Queues;

/// <summary>Every kind of queue runs at most <c>Workers</c> handlers at once, and does reach that many.</summary>
public sealed class WorkQueueConcurrencyTests
{
    private const int Workers = 3;
    private const int Items = 12;

    public static TheoryData<string> Kinds => new() { "priority", "fifo", "delay", "dedupe", "batching" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task RunningHandlers_NeverExceedWorkers(string kind)
    {
        var active = 0;
        var peak = 0;
        var done = 0;
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async ValueTask Handle(int count)
        {
            var now = Interlocked.Increment(ref active);
            InterlockedMax(ref peak, now);
            if (now == Workers)
            {
                allStarted.TrySetResult();
            }

            await gate.Task;
            Interlocked.Decrement(ref active);
            if (Interlocked.Add(ref done, count) == Items)
            {
                allDone.TrySetResult();
            }
        }

        WorkQueue<int> queue = kind switch
        {
            "priority" => Fill(new PriorityWorkQueue<int>((i, _) => Handle(1), Workers), q => i => q.TryPut(i)),
            "fifo" => Fill(new FifoWorkQueue<int>((i, _) => Handle(1), Workers), q => q.TryPut),
            "delay" => Fill(new DelayWorkQueue<int>((i, _) => Handle(1), Workers), q => i => q.TryPut(i, TimeSpan.Zero)),
            "dedupe" => Fill(new DedupeWorkQueue<int>((i, _) => Handle(1), Workers), q => i => q.TryPut(i) == DedupeResult.Accepted),
            _ => Fill(new BatchingWorkQueue<int>((b, _) => Handle(b.Count), batchSize: 2, TimeSpan.Zero, Workers), q => q.TryPut),
        };

        await queue.StartAsync();
        await allStarted.Task.Safe();
        Assert.Equal(Workers, Volatile.Read(ref active));

        gate.SetResult();
        await allDone.Task.Safe();
        await queue.StopAsync().Safe();
        Assert.Equal(Workers, peak);
    }

    private static TQueue Fill<TQueue>(TQueue queue, Func<TQueue, Func<int, bool>> put)
    {
        var tryPut = put(queue);
        for (var i = 0; i < Items; i++)
        {
            Assert.True(tryPut(i));
        }

        return queue;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
