using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Limiters.Backends;
using Throttle.Storage.Redis;
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

        await backend.GrantAllAsync("k", rate, 3);

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

    [RedisFact]
    public async Task Many_requests_leaving_at_once_leave_the_sum_exact()
    {
        // 40 requests: more than the 16 records the state copies, and more than the 16 a call reads next from the log.
        var prefix = redis.StoragePrefix(nameof(Many_requests_leaving_at_once_leave_the_sum_exact));
        await using var storage = redis.CreateStorage(prefix);
        var window = TimeSpan.FromSeconds(1);
        var rate = new LimiterRate(Capacity: 100, PerSecond: 100);
        var backend = storage.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond, window);
        await backend.GrantAllAsync("k", rate, 40);

        await WaitForServerAsync(await redis.Database.ServerSecondsAsync() + window.TotalSeconds + 0.01);
        var decision = await backend.TryAcquireAsync("k", 2.5, rate, CancellationToken.None);
        Assert.True(decision.IsAcquired);
        Assert.True(decision.TryGetQuota(out var quota));
        Assert.Equal(97.5, quota.AvailableTokens, 9);

        // What left the window was trimmed from the log, not only subtracted: the log holds the last call alone, and
        // both keys have their TTL.
        var keys = await redis.Connection.KeysWithTtlAsync(prefix);
        Assert.Equal(2, keys.Length);
        Assert.All(keys, k => Assert.InRange(k.Pttl, 1, 60_000));
        var log = keys.Single(k => k.Key.EndsWith(RedisKeys.SlidingWindowLog, StringComparison.Ordinal)).Key;
        Assert.Equal(1, await redis.Database.ListLengthAsync(log));
    }

    [RedisFact]
    public async Task A_coalesced_batch_the_state_does_not_copy_leaves_the_window_whole()
    {
        // Sixteen single requests (the state copies them), then, half a window later, one batch of 40 (one record, in
        // the log only): once the singles leave, the next call reads the batch's record and counts all of it.
        var prefix = redis.StoragePrefix(nameof(A_coalesced_batch_the_state_does_not_copy_leaves_the_window_whole));
        await using var storage = redis.CreateStorage(prefix);
        var window = TimeSpan.FromSeconds(2);
        var rate = new LimiterRate(Capacity: 100, PerSecond: 50);
        var backend = storage.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond, window);
        var start = await redis.Database.ServerSecondsAsync();
        await backend.GrantAllAsync("k", rate, 16);

        await WaitForServerAsync(start + (window.TotalSeconds / 2));
        var keyStart = new RedisKeys(prefix).LimiterStart("api");
        RedisKey[] keys = [RedisKeys.Limiter(keyStart, "k", RedisKeys.SlidingWindowLog), RedisKeys.Limiter(keyStart, "k", RedisKeys.SlidingWindowState)];
        var batch = (byte[])(await redis.Database.ScriptEvaluateAsync(RedisScripts.SlidingWindowAcquire.Text, keys, ["100", "2000000", "1", "40"]))!;
        Assert.Equal(40, BitConverter.ToDouble(batch, 0));
        Assert.Equal(44, BitConverter.ToDouble(batch, 16));

        // The singles have left, the batch has not (it leaves a second later).
        await WaitForServerAsync(start + window.TotalSeconds + 0.2);
        Assert.Equal(60, (await backend.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens, 9);
        var decision = await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None);
        Assert.True(decision.TryGetQuota(out var quota));
        Assert.Equal(59, quota.AvailableTokens, 9);
    }

    [RedisFact]
    public async Task A_log_deleted_beside_its_state_is_created_again_with_a_ttl()
    {
        var prefix = redis.StoragePrefix(nameof(A_log_deleted_beside_its_state_is_created_again_with_a_ttl));
        await using var storage = redis.CreateStorage(prefix);
        var rate = new LimiterRate(Capacity: 5, PerSecond: 0.005);
        var backend = storage.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond, TimeSpan.FromSeconds(1000));
        await backend.GrantAllAsync("k", rate, 3);

        // As an eviction would: the log goes, the state (whose TTL the next acquire does not need to move) stays.
        var log = (await redis.Connection.KeysWithTtlAsync(prefix)).Single(k => k.Key.EndsWith(RedisKeys.SlidingWindowLog, StringComparison.Ordinal)).Key;
        Assert.True(await redis.Database.KeyDeleteAsync(log));

        var decision = await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None);
        Assert.True(decision.IsAcquired);
        var keys = await redis.Connection.KeysWithTtlAsync(prefix);
        Assert.Equal(2, keys.Length);
        Assert.All(keys, k => Assert.InRange(k.Pttl, 1, 1_200_000));

        // The window is what the log holds: the requests it lost are forgotten with it.
        Assert.True(decision.TryGetQuota(out var quota));
        Assert.Equal(4, quota.AvailableTokens, 9);
        Assert.Equal(4, (await backend.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens, 9);
    }

    [RedisFact]
    public async Task Release_forgets_the_newest_requests_in_the_log_and_in_the_state_s_copies()
    {
        var prefix = redis.StoragePrefix(nameof(Release_forgets_the_newest_requests_in_the_log_and_in_the_state_s_copies));
        await using var storage = redis.CreateStorage(prefix);
        var rate = new LimiterRate(Capacity: 30, PerSecond: 0.03);
        var backend = storage.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond, TimeSpan.FromSeconds(1000));
        await backend.GrantAllAsync("k", rate, 20);

        Assert.True((await backend.TryAcquireAsync("k", 1.5, rate, CancellationToken.None)).IsAcquired);
        await backend.ReleaseAsync("k", 4, rate, CancellationToken.None);
        Assert.Equal(12.5, (await backend.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens, 9);

        // Into the oldest 16, which the state copies.
        await backend.ReleaseAsync("k", 5, rate, CancellationToken.None);
        Assert.Equal(17.5, (await backend.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens, 9);
        await backend.GrantAllAsync("k", rate, 17);

        var last = await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None);
        Assert.False(last.IsAcquired);
        Assert.True(last.TryGetQuota(out var quota));
        Assert.Equal(0.5, quota.AvailableTokens, 9);
    }

    // Server time passes with the wall clock; Task.Delay may fire a millisecond early, so the loop checks the server.
    private async Task WaitForServerAsync(double serverSeconds)
    {
        while (await redis.Database.ServerSecondsAsync() is var now && now < serverSeconds)
        {
            await Task.Delay(TimeSpan.FromSeconds(serverSeconds - now) + TimeSpan.FromMilliseconds(2));
        }
    }
}
