using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Benchmarks.Harness;

/// <summary>
/// Hand-off latency on a semaphore of value 1: two contenders take turns strictly. Each starts its acquire while the
/// other holds the slot (so it is really waiting), the holder keeps the slot for <c>hold</c> and releases; a sample is
/// the time from the release call to the waiter's acquire returning.
/// </summary>
internal static class Handoff
{
    /// <summary>Acquires a slot and returns how to release it.</summary>
    public delegate ValueTask<Func<ValueTask>> Acquire(CancellationToken cancellationToken);

    /// <summary>Measures <paramref name="handoffs"/> hand-offs (fewer if <paramref name="limit"/> passes first), in microseconds.</summary>
    public static async Task<List<double>> MeasureAsync(Acquire acquire, int handoffs, TimeSpan hold, TimeSpan limit)
    {
        var samples = new List<double>(handoffs);
        using var end = new CancellationTokenSource(limit);
        using var turn0 = new SemaphoreSlim(1);
        using var turn1 = new SemaphoreSlim(0);
        var turns = new[] { turn0, turn1 };
        long releasedAt = 0;
        var acquisitions = 0;

        async Task RunAsync(int me)
        {
            var other = turns[1 - me];
            while (true)
            {
                Func<ValueTask> release;
                try
                {
                    await turns[me].WaitAsync(end.Token).ConfigureAwait(false);
                    release = await acquire(end.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (end.IsCancellationRequested)
                {
                    return;
                }

                var acquiredAt = Stopwatch.GetTimestamp();
                var previous = Volatile.Read(ref releasedAt);
                var last = false;
                lock (samples)
                {
                    if (previous != 0)
                    {
                        samples.Add(Stopwatch.GetElapsedTime(previous, acquiredAt).TotalMicroseconds);
                    }

                    last = ++acquisitions > handoffs;
                }

                if (!last)
                {
                    other.Release();
                    await Task.Delay(hold).ConfigureAwait(false);
                }

                Volatile.Write(ref releasedAt, Stopwatch.GetTimestamp());
                await release().ConfigureAwait(false);
                if (last)
                {
                    await end.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }

        await Task.WhenAll(Task.Run(() => RunAsync(0)), Task.Run(() => RunAsync(1))).ConfigureAwait(false);
        samples.Sort();
        return samples;
    }
}
