using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Throttle.Limiters.Backends;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

/// <summary>The leaky bucket's Redis script directly: its schedule is kept in server microseconds.</summary>
[Collection(RedisFixture.CollectionName)]
public sealed class RedisLeakyBucketTests(RedisFixture redis)
{
    private const LimiterAlgorithm Algorithm = LimiterAlgorithm.LeakyBucket;

    [RedisFact]
    public async Task Concurrent_reservations_on_one_key_fill_the_bucket_once_with_starts_exactly_one_spacing_apart()
    {
        await using var storage = redis.CreateStorage(redis.StoragePrefix(nameof(Concurrent_reservations_on_one_key_fill_the_bucket_once_with_starts_exactly_one_spacing_apart)));
        var rate = new LimiterRate(Capacity: 10, PerSecond: 0.01);
        var backend = (ILeakyBucketBackend)storage.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond);

        var reservations = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
            await backend.ReserveAsync("user", 1, rate, Timeout.InfiniteTimeSpan, CancellationToken.None))));

        // At 0.01/s nothing leaks meanwhile: exactly the capacity is reserved, the rest is refused for room.
        var reserved = reservations.Where(r => r.IsReserved).ToArray();
        Assert.Equal(10, reserved.Length);
        Assert.All(reservations.Where(r => !r.IsReserved), r => Assert.InRange(r.RoomAfter, TimeSpan.FromSeconds(99), TimeSpan.FromSeconds(100)));

        // Server-side starts: each queue end is one spacing (100 s = 1e8 µs) after the previous, and the delays step by it.
        var ends = reserved.Select(r => r.QueueEnd).Order().ToArray();
        for (var i = 1; i < ends.Length; i++)
        {
            Assert.InRange(ends[i] - ends[i - 1], 1e8 - 1, 1e8 + 1);
        }

        var delays = reserved.Select(r => r.Delay.TotalSeconds).Order().ToArray();
        Assert.Equal(0, delays[0]);
        Assert.InRange(delays[^1], 900 - 1, 900);
    }

    [RedisFact]
    public async Task A_non_waiting_attempt_waits_for_the_queue_release_lowers_the_level_and_every_key_has_a_ttl()
    {
        var prefix = redis.StoragePrefix(nameof(A_non_waiting_attempt_waits_for_the_queue_release_lowers_the_level_and_every_key_has_a_ttl));
        await using var storage = redis.CreateStorage(prefix);
        var rate = new LimiterRate(Capacity: 4, PerSecond: 0.001);
        var backend = (ILeakyBucketBackend)storage.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond);

        Assert.Equal(4, (await backend.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens);
        Assert.True((await backend.TryAcquireAsync("k", 3.5, rate, CancellationToken.None)).IsAcquired);
        // Level 3.5: a call could start at once only after 3,500 s; one token fits after 500 s.
        var rejected = await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None);
        Assert.False(rejected.IsAcquired);
        Assert.InRange(rejected.RetryAfter, TimeSpan.FromSeconds(3490), TimeSpan.FromSeconds(3500));
        var refused = await backend.ReserveAsync("k", 1, rate, Timeout.InfiniteTimeSpan, CancellationToken.None);
        Assert.False(refused.IsReserved);
        Assert.InRange(refused.RoomAfter, TimeSpan.FromSeconds(490), TimeSpan.FromSeconds(500));

        // The 3.5 started at once, so nobody waits: a release lowers the level, never below empty.
        await backend.ReleaseAsync("k", 1, rate, CancellationToken.None);
        Assert.InRange((await backend.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens, 1.5, 1.51);
        await backend.ReleaseAsync("k", 100, rate, CancellationToken.None);
        var stats = await backend.GetStatsAsync("k", rate, CancellationToken.None);
        Assert.Equal((4.0, 4.0, 0.001), (stats.AvailableTokens, stats.MaxTokens, stats.RefillRate));

        // A waiting reservation: release leaves it alone; cancelling it (the last one) hands its slot back.
        Assert.True((await backend.TryAcquireAsync("k", 2, rate, CancellationToken.None)).IsAcquired);
        var waiting = await backend.ReserveAsync("k", 1, rate, Timeout.InfiniteTimeSpan, CancellationToken.None);
        Assert.True(waiting.IsReserved);
        Assert.InRange(waiting.Delay, TimeSpan.FromSeconds(1990), TimeSpan.FromSeconds(2000));
        await backend.ReleaseAsync("k", 2, rate, CancellationToken.None);
        Assert.InRange((await backend.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens, 1, 1.01);
        await backend.CancelAsync("k", 1, rate, waiting.QueueEnd, CancellationToken.None);
        Assert.InRange((await backend.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens, 2, 2.01);
        // A stale reservation (no longer the last) changes nothing.
        await backend.CancelAsync("k", 1, rate, waiting.QueueEnd, CancellationToken.None);
        Assert.InRange((await backend.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens, 2, 2.01);

        var keys = await redis.Connection.KeysWithTtlAsync(prefix);
        Assert.Single(keys);
        Assert.All(keys, k => Assert.InRange(k.Pttl, 1, 2_001_000));
    }

    [RedisFact]
    public async Task Clients_whose_clocks_are_a_century_apart_share_one_schedule_timed_by_the_server()
    {
        var prefix = redis.StoragePrefix(nameof(Clients_whose_clocks_are_a_century_apart_share_one_schedule_timed_by_the_server));
        await using var early = redis.CreateStorage(prefix, o => o.TimeProvider = new FakeTimeProvider(new DateTimeOffset(1990, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        await using var late = redis.CreateStorage(prefix, o => o.TimeProvider = new FakeTimeProvider(new DateTimeOffset(2090, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        var rate = new LimiterRate(Capacity: 3, PerSecond: 0.001);
        var a = (ILeakyBucketBackend)early.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond);
        var b = (ILeakyBucketBackend)late.Backend(Algorithm, "api", rate.Capacity, rate.PerSecond);

        var first = await a.ReserveAsync("k", 2, rate, Timeout.InfiniteTimeSpan, CancellationToken.None);
        var second = await b.ReserveAsync("k", 1, rate, Timeout.InfiniteTimeSpan, CancellationToken.None);
        Assert.Equal(TimeSpan.Zero, first.Delay);
        Assert.InRange(second.Delay, TimeSpan.FromSeconds(1990), TimeSpan.FromSeconds(2000));
        Assert.False((await a.ReserveAsync("k", 1, rate, Timeout.InfiniteTimeSpan, CancellationToken.None)).IsReserved);

        var server = await redis.Database.ServerSecondsAsync();
        Assert.InRange(second.QueueEnd / 1e6, server + 2990, server + 3000);
    }
}
