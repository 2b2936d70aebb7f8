using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Storage;
using Xunit;
using Throttle.Testing;

namespace Throttle.Tests.Storage.Memory;

public sealed class MemoryStorageTests
{
    private static async Task<bool> HasStateAsync(ThrottleLimiter limiter, string key) =>
        (await limiter.GetStatsAsync(key)).LastUpdate is not null;

    [Fact]
    public void Defaults()
    {
        var storage = new MemoryStorage();
        Assert.Equal(MemoryStorage.DefaultMaxSize, storage.MaxSize);
        Assert.Same(TimeProvider.System, storage.TimeProvider);
        Assert.Equal(0, storage.Count);
    }

    [Fact]
    public async Task Count_TracksKeysAcrossLimiters()
    {
        var clock = new TestClock();
        var storage = new MemoryStorage(100, clock);
        var a = new TokenBucketLimiter(5, storage: storage, scope: "a");
        var b = new TokenBucketLimiter(5, storage: storage, scope: "b");

        await a.TryAcquireAsync("x");
        await a.TryAcquireAsync("y");
        await a.TryAcquireAsync("x");
        await b.TryAcquireAsync("x");

        Assert.Equal(3, storage.Count);
    }

    [Fact]
    public async Task ManyDistinctKeys_CountStaysWithinMaxSize()
    {
        var clock = new TestClock();
        var storage = new MemoryStorage(100, clock);
        var limiter = new TokenBucketLimiter(1, per: 3600, storage: storage);

        var maxSeen = 0;
        for (var i = 0; i < 5_000; i++)
        {
            Assert.True(await limiter.TryAcquireAsync("key-" + i.ToString(CultureInfo.InvariantCulture)));
            maxSeen = Math.Max(maxSeen, storage.Count);
            if (i % 7 == 0)
            {
                clock.Advance(TimeSpan.FromMilliseconds(1));
            }
        }

        Assert.InRange(maxSeen, 1, 100);
        Assert.InRange(storage.Count, 1, 100);
    }

    [Fact]
    public async Task IdleRefilledKeys_AreRemovedFirst()
    {
        var clock = new TestClock();
        var storage = new MemoryStorage(10, clock);
        var slow = new TokenBucketLimiter(1, per: 1000, storage: storage, scope: "slow");
        var fast = new TokenBucketLimiter(1, per: 1, storage: storage, scope: "fast");

        // The slow keys are the least recently used, but they are not full again...
        for (var i = 0; i < 5; i++)
        {
            Assert.True(await slow.TryAcquireAsync("s" + i));
        }

        clock.Advance(TimeSpan.FromMilliseconds(10));
        for (var i = 0; i < 5; i++)
        {
            Assert.True(await fast.TryAcquireAsync("f" + i));
        }

        // ...while the more recently used fast keys have refilled (idle, indistinguishable from absent).
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(10, storage.Count);

        Assert.True(await slow.TryAcquireAsync("new"));

        for (var i = 0; i < 5; i++)
        {
            Assert.True(await HasStateAsync(slow, "s" + i), "s" + i + " should have survived");
            Assert.False(await HasStateAsync(fast, "f" + i), "f" + i + " should have expired");
        }

        Assert.True(await HasStateAsync(slow, "new"));
        Assert.Equal(6, storage.Count);
    }

    [Fact]
    public async Task AllKeysIdleAndFull_AreAllRemovedOnOverflow()
    {
        var clock = new TestClock();
        var storage = new MemoryStorage(20, clock);
        var limiter = new TokenBucketLimiter(10, storage: storage);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(await limiter.TryAcquireAsync("k" + i, 3));
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(20, storage.Count);

        Assert.True(await limiter.TryAcquireAsync("one-more"));
        Assert.Equal(1, storage.Count);
        Assert.True(await HasStateAsync(limiter, "one-more"));
    }

    [Fact]
    public async Task PeriodicSweep_RemovesIdleKeysEvenBelowMaxSize()
    {
        var clock = new TestClock();
        var storage = new MemoryStorage(1000, clock);
        var limiter = new TokenBucketLimiter(10, storage: storage);
        for (var i = 0; i < 50; i++)
        {
            await limiter.TryAcquireAsync("k" + i);
        }

        clock.Advance(TimeSpan.FromMinutes(2));
        await limiter.TryAcquireAsync("trigger");
        Assert.Equal(1, storage.Count);
    }

    [Fact]
    public async Task NoneExpired_LeastRecentlyUsedAreEvicted_RecentlyUsedSurvive()
    {
        var clock = new TestClock();
        var storage = new MemoryStorage(10, clock);
        var limiter = new TokenBucketLimiter(1, per: 3600, burst: 100, storage: storage);

        for (var i = 0; i < 10; i++)
        {
            Assert.True(await limiter.TryAcquireAsync("k" + i));
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        // Touch the three oldest: they become the most recently used.
        foreach (var key in new[] { "k0", "k1", "k2" })
        {
            Assert.True(await limiter.TryAcquireAsync(key));
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.True(await limiter.TryAcquireAsync("k10"));
        Assert.True(storage.Count <= 10);

        // k3 was the least recently used.
        Assert.False(await HasStateAsync(limiter, "k3"));
        foreach (var key in new[] { "k0", "k1", "k2", "k9", "k10" })
        {
            Assert.True(await HasStateAsync(limiter, key), key + " should have survived");
        }

        // Overflow more: the eviction order follows last use.
        for (var i = 11; i < 14; i++)
        {
            Assert.True(await limiter.TryAcquireAsync("k" + i));
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.True(storage.Count <= 10);
        foreach (var key in new[] { "k3", "k4", "k5", "k6" })
        {
            Assert.False(await HasStateAsync(limiter, key), key + " should have been evicted");
        }

        foreach (var key in new[] { "k0", "k1", "k2", "k10", "k11", "k12", "k13" })
        {
            Assert.True(await HasStateAsync(limiter, key), key + " should have survived");
        }
    }

    [Fact]
    public async Task LruEviction_ReadsCountAsUse()
    {
        // A rejected attempt is a use too: it keeps the key's state.
        var clock = new TestClock();
        var storage = new MemoryStorage(4, clock);
        var limiter = new TokenBucketLimiter(1, per: 3600, storage: storage);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(await limiter.TryAcquireAsync("k" + i));
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.False(await limiter.TryAcquireAsync("k0"));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await limiter.TryAcquireAsync("k4"));

        Assert.True(await HasStateAsync(limiter, "k0"));
        Assert.False(await HasStateAsync(limiter, "k1"));

        // k0's bucket is still empty: the eviction of others did not reset it.
        Assert.False(await limiter.TryAcquireAsync("k0"));
    }

    [Fact]
    public async Task EvictedFullBucket_BehavesExactlyLikeAKeptOne()
    {
        var clock = new TestClock();
        var small = new MemoryStorage(3, clock);
        var large = new MemoryStorage(1000, clock);
        var evicting = new TokenBucketLimiter(4, per: 2, burst: 3, storage: small);
        var keeping = new TokenBucketLimiter(4, per: 2, burst: 3, storage: large);

        var evictedDecisions = new List<RateLimitDecision>();
        var keptDecisions = new List<RateLimitDecision>();

        async Task StepAsync(double tokens)
        {
            evictedDecisions.Add(await evicting.AttemptAcquireAsync("a", tokens));
            keptDecisions.Add(await keeping.AttemptAcquireAsync("a", tokens));
        }

        await StepAsync(2);
        await StepAsync(2);

        // Idle long enough to be full again, then pushed out of the small storage by other keys.
        clock.Advance(TimeSpan.FromSeconds(5));
        for (var i = 0; i < 3; i++)
        {
            await evicting.TryAcquireAsync("other" + i);
        }

        Assert.False(await HasStateAsync(evicting, "a"));
        // The large storage still holds "a" (full again, so its stats read as a fresh key's).
        Assert.Equal(1, large.Count);
        Assert.Equal((await keeping.GetStatsAsync("a")).AvailableTokens, (await evicting.GetStatsAsync("a")).AvailableTokens);

        await StepAsync(1);
        await StepAsync(1);
        await StepAsync(1);
        await StepAsync(1);
        clock.Advance(TimeSpan.FromMilliseconds(300));
        await StepAsync(1);
        await StepAsync(0.5);

        Assert.Equal(keptDecisions, evictedDecisions);
        Assert.Contains(evictedDecisions, d => !d.IsAcquired);
        Assert.Contains(evictedDecisions, d => d.IsAcquired);
    }

    [Fact]
    public async Task ScaleTest_MillionKeys_BoundedThroughout()
    {
        const int MaxSize = 100_000;
        const int Keys = 1_000_000;
        var clock = new TestClock();
        var storage = new MemoryStorage(MaxSize, clock);
        var limiter = new TokenBucketLimiter(1, per: 60, storage: storage);

        var checkpoints = 0;
        for (var i = 0; i < Keys; i++)
        {
            var pending = limiter.TryAcquireAsync("user:" + i.ToString(CultureInfo.InvariantCulture));
            Assert.True(pending.IsCompletedSuccessfully);
            Assert.True(await pending);

            if (i % 1000 == 999)
            {
                clock.Advance(TimeSpan.FromMilliseconds(1));
            }

            if (i % 125_000 == 124_999)
            {
                Assert.InRange(storage.Count, 1, MaxSize);
                checkpoints++;
            }
        }

        Assert.Equal(8, checkpoints);
        Assert.InRange(storage.Count, 1, MaxSize);

        // The most recent key is still tracked (its bucket is not full).
        Assert.True(await HasStateAsync(limiter, "user:" + (Keys - 1).ToString(CultureInfo.InvariantCulture)));
        Assert.False(await limiter.TryAcquireAsync("user:" + (Keys - 1).ToString(CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(9)]
    [InlineData(10)]
    public async Task SmallMaxSize_FullOfBusyKeys_NewKeyStillGetsIn(int maxSize)
    {
        var clock = new TestClock();
        var storage = new MemoryStorage(maxSize, clock);
        var limiter = new TokenBucketLimiter(1, per: 3600, storage: storage);
        for (var i = 0; i < maxSize; i++)
        {
            Assert.True(await limiter.TryAcquireAsync("busy" + i));
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        // Run off the test thread with a generous safety bound so a livelock fails the test instead of hanging the run.
        var insert = Task.Run(async () => await limiter.TryAcquireAsync("new"));
        var completed = await Task.WhenAny(insert, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.Same(insert, completed);
        Assert.True(await insert);
        Assert.InRange(storage.Count, 1, maxSize);
        Assert.True(await HasStateAsync(limiter, "new"));
        Assert.False(await HasStateAsync(limiter, "busy0"));
    }
}
