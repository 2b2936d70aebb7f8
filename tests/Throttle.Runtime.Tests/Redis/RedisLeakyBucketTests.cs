using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters.Backends;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Runtime.Tests.Redis;

[Collection(RedisFixture.CollectionName)]
public sealed class RedisLeakyBucketTests(RedisFixture redis)
{
    private const LimiterAlgorithm Algorithm = LimiterAlgorithm.LeakyBucket;

    [RedisFact]
    public async Task Concurrent_acquires_on_one_key_never_exceed_capacity_plus_leak_times_server_elapsed()
    {
        await using var storage = redis.CreateStorage(redis.StoragePrefix(nameof(Concurrent_acquires_on_one_key_never_exceed_capacity_plus_leak_times_server_elapsed)));
        var rate = new LimiterRate(Capacity: 10, PerSecond: 10);
        var backend = storage.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond);

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

        Assert.InRange(granted, 10, 10 + (int)Math.Floor(rate.PerSecond * elapsed));
    }

    [RedisFact]
    public async Task A_full_bucket_rejects_with_the_time_to_drain_enough_and_release_lowers_the_level_not_below_empty()
    {
        await using var storage = redis.CreateStorage(redis.StoragePrefix(nameof(A_full_bucket_rejects_with_the_time_to_drain_enough_and_release_lowers_the_level_not_below_empty)));
        var rate = new LimiterRate(Capacity: 4, PerSecond: 0.001);
        var backend = storage.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond);

        Assert.Equal(4, (await backend.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens);
        Assert.True((await backend.TryAcquireAsync("k", 3.5, rate, CancellationToken.None)).IsAcquired);
        var rejected = await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None);
        Assert.False(rejected.IsAcquired);
        // Level 3.5 + 1 exceeds 4 by 0.5: 500 s of leaking at 0.001/s, less what leaked since.
        Assert.InRange(rejected.RetryAfter, TimeSpan.FromSeconds(490), TimeSpan.FromSeconds(500));

        await backend.ReleaseAsync("k", 1, rate, CancellationToken.None);
        Assert.InRange((await backend.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens, 1.5, 1.51);

        await backend.ReleaseAsync("k", 100, rate, CancellationToken.None);
        var stats = await backend.GetStatsAsync("k", rate, CancellationToken.None);
        Assert.Equal((4.0, 4.0, 0.001), (stats.AvailableTokens, stats.MaxTokens, stats.RefillRate));
        Assert.NotNull(stats.LastUpdate);
        Assert.True((await backend.TryAcquireAsync("k", 4, rate, CancellationToken.None)).IsAcquired);
        Assert.False((await backend.TryAcquireAsync("k", 0.01, rate, CancellationToken.None)).IsAcquired);
    }
}
