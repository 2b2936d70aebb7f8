using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters.Backends;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

[Collection(RedisFixture.CollectionName)]
public sealed class RedisSlidingWindowTests(RedisFixture redis)
{
    private const LimiterAlgorithm Algorithm = LimiterAlgorithm.SlidingWindow;

    [RedisFact]
    public async Task Concurrent_acquires_on_one_key_never_exceed_the_limit_per_window()
    {
        await using var storage = redis.CreateStorage(redis.StoragePrefix(nameof(Concurrent_acquires_on_one_key_never_exceed_the_limit_per_window)));
        var window = TimeSpan.FromSeconds(1);
        var rate = new LimiterRate(Capacity: 15, PerSecond: 15);
        var backend = storage.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond, window);

        var start = await redis.Database.ServerSecondsAsync();
        var granted = 0;
        await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                if ((await backend.TryAcquireAsync("user", 1, rate, CancellationToken.None)).IsAcquired)
                {
                    Interlocked.Increment(ref granted);
                }
            }
        })));
        var elapsed = await redis.Database.ServerSecondsAsync() - start;

        // A log admits at most Capacity in any window: over the run, Capacity per started window.
        Assert.InRange(granted, 15, 15 * (1 + (int)Math.Floor(elapsed / window.TotalSeconds)));
    }

    [RedisFact]
    public async Task A_full_window_rejects_until_its_oldest_request_leaves_it()
    {
        await using var storage = redis.CreateStorage(redis.StoragePrefix(nameof(A_full_window_rejects_until_its_oldest_request_leaves_it)));
        var window = TimeSpan.FromSeconds(1000);
        var rate = new LimiterRate(Capacity: 3, PerSecond: 0.003);
        var backend = storage.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond, window);

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired);
        }

        var rejected = await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None);
        Assert.False(rejected.IsAcquired);
        Assert.InRange(rejected.RetryAfter, TimeSpan.FromSeconds(990), window);

        // Two tokens need the two oldest requests to expire: no sooner than one.
        var two = await backend.TryAcquireAsync("k", 2, rate, CancellationToken.None);
        Assert.False(two.IsAcquired);
        Assert.True(two.RetryAfter >= rejected.RetryAfter - TimeSpan.FromSeconds(1));
    }

    [RedisFact]
    public async Task Weighted_requests_count_their_tokens_and_release_forgets_the_newest()
    {
        await using var storage = redis.CreateStorage(redis.StoragePrefix(nameof(Weighted_requests_count_their_tokens_and_release_forgets_the_newest)));
        var window = TimeSpan.FromSeconds(1000);
        var rate = new LimiterRate(Capacity: 5, PerSecond: 0.005);
        var backend = storage.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond, window);

        Assert.True((await backend.TryAcquireAsync("k", 2.5, rate, CancellationToken.None)).IsAcquired);
        Assert.True((await backend.TryAcquireAsync("k", 2, rate, CancellationToken.None)).IsAcquired);
        Assert.False((await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired);
        Assert.Equal(0.5, (await backend.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens, 9);

        // Release 1.5: the newest request (2) shrinks to 0.5.
        await backend.ReleaseAsync("k", 1.5, rate, CancellationToken.None);
        Assert.Equal(2, (await backend.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens, 9);

        // Releasing more than was taken empties the log; never above capacity.
        await backend.ReleaseAsync("k", 50, rate, CancellationToken.None);
        var stats = await backend.GetStatsAsync("k", rate, CancellationToken.None);
        Assert.Equal(5, stats.AvailableTokens);
        Assert.Equal(5, stats.MaxTokens);
        Assert.True((await backend.TryAcquireAsync("k", 5, rate, CancellationToken.None)).IsAcquired);
        Assert.False((await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired);
    }

    [RedisFact]
    public async Task Requests_leave_the_window_as_server_time_passes()
    {
        await using var storage = redis.CreateStorage(redis.StoragePrefix(nameof(Requests_leave_the_window_as_server_time_passes)));
        var window = TimeSpan.FromMilliseconds(100);
        var rate = new LimiterRate(Capacity: 2, PerSecond: 20);
        var backend = storage.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond, window);

        Assert.True((await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired);
        Assert.True((await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired);
        var rejected = await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None);
        Assert.False(rejected.IsAcquired);
        Assert.InRange(rejected.RetryAfter, TimeSpan.FromTicks(1), window);

        // Server time passes with the wall clock; Task.Delay counts whole milliseconds and may fire up to one early, so a
        // few milliseconds of margin keep the test about the window, not about timer rounding.
        await Task.Delay(rejected.RetryAfter + TimeSpan.FromMilliseconds(5));
        Assert.True((await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired);
    }
}
