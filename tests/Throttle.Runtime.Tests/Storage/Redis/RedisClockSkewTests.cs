using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Throttle.Limiters.Backends;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

[Collection(RedisFixture.CollectionName)]
public sealed class RedisClockSkewTests(RedisFixture redis)
{
    [RedisTheory]
    [InlineData(nameof(LimiterAlgorithm.TokenBucket))]
    [InlineData(nameof(LimiterAlgorithm.SlidingWindow))]
    public async Task Clients_whose_clocks_are_a_century_apart_share_one_limit_timed_by_the_server(string algorithmName)
    {
        var algorithm = Enum.Parse<LimiterAlgorithm>(algorithmName);
        var prefix = redis.StoragePrefix(nameof(Clients_whose_clocks_are_a_century_apart_share_one_limit_timed_by_the_server));
        var past = new FakeTimeProvider(new DateTimeOffset(1990, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var future = new FakeTimeProvider(new DateTimeOffset(2090, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var early = redis.CreateStorage(prefix, o => o.TimeProvider = past);
        await using var late = redis.CreateStorage(prefix, o => o.TimeProvider = future);
        var rate = new LimiterRate(Capacity: 3, PerSecond: 0.001);
        var a = early.Backend(algorithm, "api", rate.Capacity, rate.PerSecond);
        var b = late.Backend(algorithm, "api", rate.Capacity, rate.PerSecond);

        Assert.True((await a.TryAcquireAsync("k", 2, rate, CancellationToken.None)).IsAcquired);
        Assert.True((await b.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired);
        Assert.False((await a.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired);
        Assert.False((await b.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired);

        var seenByEarly = await a.GetStatsAsync("k", rate, CancellationToken.None);
        var seenByLate = await b.GetStatsAsync("k", rate, CancellationToken.None);
        Assert.Equal(seenByEarly.LastUpdate, seenByLate.LastUpdate);
        Assert.Equal(seenByEarly.AvailableTokens, seenByLate.AvailableTokens, 3);

        // The last update is the server's time, not either client's.
        var server = await redis.Database.ServerSecondsAsync();
        Assert.InRange(seenByEarly.LastUpdate!.Value.ToUnixTimeMilliseconds() / 1000.0, server - 60, server);
    }
}
