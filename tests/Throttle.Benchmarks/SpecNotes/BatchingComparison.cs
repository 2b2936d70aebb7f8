using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Queues;

namespace Throttle.Benchmarks.SpecNotes;

/// <summary>
/// The spec's "batching cuts overhead ~90 %": the same items through a <see cref="FifoWorkQueue{T}"/> (one call per item)
/// and a <see cref="BatchingWorkQueue{T}"/> (one call per batch), one worker each, where every call has a fixed cost
/// (a simulated remote call, or a real Redis round trip). Time from the first put until the queue has drained.
/// </summary>
internal static class BatchingComparison
{
    /// <summary>One call of the simulated service for <c>count</c> items.</summary>
    public delegate ValueTask Call(IReadOnlyList<int> items);

    public static async Task<(double SingleSeconds, double BatchSeconds)> RunAsync(int items, int batchSize, Call call)
    {
        var one = new int[1];
        long singleDone = 0;
        await using var single = new FifoWorkQueue<int>(async (item, _) =>
        {
            one[0] = item;
            await call(one).ConfigureAwait(false);
            singleDone++;
        });
        var singleSeconds = await TimeAsync(single, items, item => single.PutAsync(item)).ConfigureAwait(false);

        long batchDone = 0;
        await using var batching = new BatchingWorkQueue<int>(async (batch, _) =>
        {
            await call(batch).ConfigureAwait(false);
            batchDone += batch.Count;
        }, batchSize, TimeSpan.FromMilliseconds(10));
        var batchSeconds = await TimeAsync(batching, items, item => batching.PutAsync(item)).ConfigureAwait(false);

        if (singleDone != items || batchDone != items)
        {
            throw new InvalidOperationException($"Not every item ran: {singleDone} one by one, {batchDone} in batches, of {items}.");
        }

        return (singleSeconds, batchSeconds);
    }

    private static async Task<double> TimeAsync(WorkQueue<int> queue, int items, Func<int, ValueTask> put)
    {
        await queue.StartAsync().ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < items; i++)
        {
            await put(i).ConfigureAwait(false);
        }

        var left = await queue.StopAsync(QueueStopMode.Drain, CancellationToken.None).ConfigureAwait(false);
        if (left.Count != 0)
        {
            throw new InvalidOperationException($"{left.Count} items were handed back instead of drained.");
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
