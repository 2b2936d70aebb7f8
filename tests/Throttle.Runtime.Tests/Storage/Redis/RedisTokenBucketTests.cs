using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters.Backends;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

[Collection(RedisFixture.CollectionName)]
public sealed class RedisTokenBucketTests(RedisFixture redis)
{
    private const LimiterAlgorithm Algorithm = LimiterAlgorithm.TokenBucket;

    [RedisFact]
    public async Task Concurrent_acquires_on_one_key_never_exceed_burst_plus_rate_times_server_elapsed()
    {
        await using var storage = redis.CreateStorage(redis.StoragePrefix(nameof(Concurrent_acquires_on_one_key_never_exceed_burst_plus_rate_times_server_elapsed)));
        var rate = new LimiterRate(Capacity: 20, PerSecond: 10);
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

        // The burst is surely granted; beyond it, only what the rate refilled during the run (as Redis measured it).
        Assert.InRange(granted, 20, 20 + (int)Math.Floor(rate.PerSecond * elapsed));
    }

    [RedisFact]
    public async Task Fractional_tokens_are_exact_and_a_rejection_says_how_long_to_wait()
    {
        await using var storage = redis.CreateStorage(redis.StoragePrefix(nameof(Fractional_tokens_are_exact_and_a_rejection_says_how_long_to_wait)));
        // One token per 1000 s: the refill during the test is negligible, so the arithmetic is visible.
        var rate = new LimiterRate(Capacity: 1.5, PerSecond: 0.001);
        var backend = storage.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond);

        Assert.True((await backend.TryAcquireAsync("k", 0.75, rate, CancellationToken.None)).IsAcquired);
        Assert.True((await backend.TryAcquireAsync("k", 0.75, rate, CancellationToken.None)).IsAcquired);
        var rejected = await backend.TryAcquireAsync("k", 0.5, rate, CancellationToken.None);

        Assert.False(rejected.IsAcquired);
        // 0.5 missing tokens at 0.001/s: 500 s, less what trickled in since the last grant.
        Assert.InRange(rejected.RetryAfter, TimeSpan.FromSeconds(490), TimeSpan.FromSeconds(500));
    }

    [RedisFact]
    public async Task Release_gives_tokens_back_but_never_above_capacity()
    {
        await using var storage = redis.CreateStorage(redis.StoragePrefix(nameof(Release_gives_tokens_back_but_never_above_capacity)));
        var rate = new LimiterRate(Capacity: 5, PerSecond: 0.0001);
        var backend = storage.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond);

        Assert.True((await backend.TryAcquireAsync("k", 4, rate, CancellationToken.None)).IsAcquired);
        await backend.ReleaseAsync("k", 2, rate, CancellationToken.None);
        Assert.InRange((await backend.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens, 3, 3.01);

        await backend.ReleaseAsync("k", 100, rate, CancellationToken.None);
        Assert.Equal(5, (await backend.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens);
        Assert.True((await backend.TryAcquireAsync("k", 5, rate, CancellationToken.None)).IsAcquired);
        Assert.False((await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired);
    }

    [RedisFact]
    public async Task Stats_report_a_full_untouched_bucket_then_the_balance_and_the_server_time_of_the_last_change()
    {
        await using var storage = redis.CreateStorage(redis.StoragePrefix(nameof(Stats_report_a_full_untouched_bucket_then_the_balance_and_the_server_time_of_the_last_change)));
        var rate = new LimiterRate(Capacity: 10, PerSecond: 0.001);
        var backend = storage.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond);

        var fresh = await backend.GetStatsAsync("k", rate, CancellationToken.None);
        Assert.Equal((10.0, 10.0, 0.001, (DateTimeOffset?)null), (fresh.AvailableTokens, fresh.MaxTokens, fresh.RefillRate, fresh.LastUpdate));

        var before = await redis.Database.ServerSecondsAsync();
        await backend.TryAcquireAsync("k", 7, rate, CancellationToken.None);
        var after = await redis.Database.ServerSecondsAsync();

        var stats = await backend.GetStatsAsync("k", rate, CancellationToken.None);
        Assert.InRange(stats.AvailableTokens, 3, 3.01);
        Assert.NotNull(stats.LastUpdate);
        Assert.InRange(stats.LastUpdate!.Value.ToUnixTimeMilliseconds() / 1000.0, before - 0.001, after + 0.001);
    }

    [RedisFact]
    public async Task A_slow_refill_is_exact_over_real_server_time()
    {
        await using var storage = redis.CreateStorage(redis.StoragePrefix(nameof(A_slow_refill_is_exact_over_real_server_time)));
        var rate = new LimiterRate(Capacity: 1, PerSecond: 20);
        var backend = storage.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond);

        Assert.True((await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired);
        // The token is back 50 ms after it was taken: on a loaded machine the next call can come later than that and be
        // granted. Each grant empties the bucket again, so take until a call is refused; that call is the one under test.
        var rejected = await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None);
        for (var granted = 1; rejected.IsAcquired && granted < 100; granted++)
        {
            rejected = await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None);
        }

        Assert.False(rejected.IsAcquired);
        Assert.InRange(rejected.RetryAfter, TimeSpan.FromTicks(1), TimeSpan.FromMilliseconds(50));

        // Waiting the advertised delay is enough: the token is there.
        // Server time passes with the wall clock; Task.Delay counts whole milliseconds and may fire up to one early, so a
        // few milliseconds of margin keep the test about the window, not about timer rounding.
        await Task.Delay(rejected.RetryAfter + TimeSpan.FromMilliseconds(5));
        Assert.True((await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired);
    }

    [RedisFact]
    public async Task The_ttl_always_covers_the_refill_and_ends_at_most_a_second_after_the_bucket_is_full()
    {
        var prefix = redis.StoragePrefix(nameof(The_ttl_always_covers_the_refill_and_ends_at_most_a_second_after_the_bucket_is_full));
        await using var storage = redis.CreateStorage(prefix);
        // 100 tokens refilled at 1 per second: each grant moves the moment the bucket is full a second later, so most
        // grants fall inside the TTL's second of slack (KEEPTTL) and every few the TTL is set anew (PX).
        var rate = new LimiterRate(Capacity: 100, PerSecond: 1);
        var backend = storage.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond);

        for (var i = 0; i < 40; i++)
        {
            var tokens = i % 7 == 0 ? 3 : 0.5;
            var decision = await backend.TryAcquireAsync("k", tokens, rate, CancellationToken.None);
            Assert.True(decision.IsAcquired);
            // The TTL first, then the balance: time passing between the two reads can only lower the second figure.
            var key = Assert.Single(await redis.Connection.KeysWithTtlAsync(prefix));
            var stats = await backend.GetStatsAsync("k", rate, CancellationToken.None);
            var untilFull = (rate.Capacity - stats.AvailableTokens) / rate.PerSecond * 1000;
            // Not before the bucket is full again (state lost early would over-admit), about a second after it at
            // most (whole ms, and the time between the two reads on a loaded machine).
            Assert.InRange((double)key.Pttl, untilFull - 2, untilFull + 1200);
        }

        // A release moves the full moment earlier: the TTL follows it down.
        await backend.ReleaseAsync("k", 20, rate, CancellationToken.None);
        var released = Assert.Single(await redis.Connection.KeysWithTtlAsync(prefix));
        var afterRelease = await backend.GetStatsAsync("k", rate, CancellationToken.None);
        var untilFullAfterRelease = (rate.Capacity - afterRelease.AvailableTokens) / rate.PerSecond * 1000;
        Assert.InRange((double)released.Pttl, untilFullAfterRelease - 2, untilFullAfterRelease + 1200);
    }
}
