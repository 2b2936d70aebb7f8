using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Storage;
using Xunit;
using Throttle.Testing;

namespace Throttle.Tests.Limiters;

public sealed class ConcurrencyTests
{
    private const int Workers = 8;
    private const int KeyCount = 16;

    [Fact]
    public async Task RealClock_AcceptedNeverExceedsBurstPlusRateTimesElapsed()
    {
        const double Rate = 200;
        const double Burst = 20;
        var limiter = new TokenBucketLimiter(Rate, 1, Burst, new MemoryStorage(1000, TimeProvider.System));
        var keys = Enumerable.Range(0, KeyCount).Select(i => "key-" + i).ToArray();
        var accepted = new long[KeyCount];
        var runFor = TimeSpan.FromMilliseconds(700);

        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopwatch = new Stopwatch();
        var tasks = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            // The stopwatch runs before any worker's first acquire.
            await go.Task;
            var i = worker;
            while (stopwatch.Elapsed < runFor)
            {
                var k = i++ % KeyCount;
                if (await limiter.TryAcquireAsync(keys[k]))
                {
                    Interlocked.Increment(ref accepted[k]);
                }
            }
        })).ToArray();

        stopwatch.Start();
        go.SetResult();
        await Task.WhenAll(tasks);
        stopwatch.Stop();
        var elapsedSeconds = stopwatch.Elapsed.TotalSeconds;

        for (var k = 0; k < KeyCount; k++)
        {
            var bound = Burst + (Rate * elapsedSeconds) + 1e-6;
            Assert.True(accepted[k] <= bound, $"{keys[k]}: accepted {accepted[k]} > bound {bound} ({elapsedSeconds:0.000} s)");
            Assert.True(accepted[k] >= Burst, $"{keys[k]}: accepted only {accepted[k]}, less than the burst");
        }
    }

    [Fact]
    public async Task FrozenClock_ConcurrentCallersAdmitExactlyBurstPerKey()
    {
        const int Burst = 25;
        var clock = new TestClock();
        var limiter = new TokenBucketLimiter(Burst, storage: new MemoryStorage(1000, clock));
        var keys = Enumerable.Range(0, KeyCount).Select(i => "key-" + i).ToArray();
        var accepted = new int[KeyCount];
        var rejected = new int[KeyCount];

        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            await go.Task;
            for (var round = 0; round < 200; round++)
            {
                for (var j = 0; j < KeyCount; j++)
                {
                    var k = (j + worker) % KeyCount;
                    if (await limiter.TryAcquireAsync(keys[k]))
                    {
                        Interlocked.Increment(ref accepted[k]);
                    }
                    else
                    {
                        Interlocked.Increment(ref rejected[k]);
                    }
                }
            }
        })).ToArray();

        go.SetResult();
        await Task.WhenAll(tasks);

        for (var k = 0; k < KeyCount; k++)
        {
            Assert.Equal(Burst, accepted[k]);
            Assert.Equal((Workers * 200) - Burst, rejected[k]);
        }
    }

    [Fact]
    public async Task FrozenClock_ConcurrentMultiTokenAndRelease_NeverExceedBurst()
    {
        const double Burst = 10;
        var clock = new TestClock();
        var limiter = new TokenBucketLimiter(Burst, storage: new MemoryStorage(1000, clock));
        var held = 0.0;
        var maxHeld = 0.0;
        var sync = new object();

        var tasks = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 2000; i++)
            {
                var tokens = 1 + (worker % 3);
                if (await limiter.TryAcquireAsync("k", tokens))
                {
                    lock (sync)
                    {
                        held += tokens;
                        maxHeld = Math.Max(maxHeld, held);
                    }

                    lock (sync)
                    {
                        held -= tokens;
                    }

                    await limiter.ReleaseAsync("k", tokens);
                }
            }
        })).ToArray();

        await Task.WhenAll(tasks);
        Assert.InRange(maxHeld, 1, Burst);
        Assert.Equal(Burst, (await limiter.GetStatsAsync("k")).AvailableTokens, 9);
    }

    [Fact]
    public async Task ConcurrentInsertsOfManyKeys_CountStaysNearMaxSize()
    {
        const int MaxSize = 1000;
        var clock = new TestClock();
        var storage = new MemoryStorage(MaxSize, clock);
        var limiter = new TokenBucketLimiter(1, per: 3600, storage: storage);
        var maxSeen = 0;

        var tasks = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                Assert.True(await limiter.TryAcquireAsync(worker + ":" + i));
                var count = storage.Count;
                int seen;
                while (count > (seen = Volatile.Read(ref maxSeen)) && Interlocked.CompareExchange(ref maxSeen, count, seen) != seen)
                {
                }
            }
        })).ToArray();

        await Task.WhenAll(tasks);

        // Concurrent inserters may overshoot by at most one entry each while a sweep runs.
        Assert.InRange(maxSeen, 1, MaxSize + Workers);
        Assert.InRange(storage.Count, 1, MaxSize + Workers);
    }

    [Fact]
    public async Task RealClock_EvictionWhileKeysAreInUse_NeverThrows_AndStaysBounded()
    {
        // Hot keys keep changing their last-access time while sweeps sort by it.
        const int MaxSize = 200;
        var storage = new MemoryStorage(MaxSize, TimeProvider.System);
        var limiter = new TokenBucketLimiter(1_000_000, storage: storage);
        var maxSeen = 0;

        var tasks = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 30_000; i++)
            {
                var key = i % 2 == 0 ? "hot" + (i % 150) : worker + ":" + i;
                await limiter.TryAcquireAsync(key);
                var count = storage.Count;
                int seen;
                while (count > (seen = Volatile.Read(ref maxSeen)) && Interlocked.CompareExchange(ref maxSeen, count, seen) != seen)
                {
                }
            }
        })).ToArray();

        await Task.WhenAll(tasks);
        Assert.InRange(maxSeen, 1, MaxSize + Workers);
    }
}
