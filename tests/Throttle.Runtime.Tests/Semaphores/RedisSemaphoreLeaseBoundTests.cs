using System;
using System.Threading.Tasks;
using Throttle.Policies;
using Throttle.Semaphores;
using Throttle.Testing;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Semaphores;

/// <summary>A lease above the documented bound is refused before Redis is touched; the bound itself works.</summary>
[Collection(RedisFixture.CollectionName)]
public sealed class RedisSemaphoreLeaseBoundTests(RedisFixture redis)
{
    [RedisFact]
    public async Task A_lease_above_the_bound_is_refused_before_any_slot_is_taken_and_the_bound_itself_is_held_and_released()
    {
        var key = redis.KeyPrefix() + "s";
        var max = TimeSpan.FromSeconds(DistributedSemaphoreOptions.MaxLeaseSeconds);
        foreach (var tooLong in new[] { TimeSpan.FromDays(150), max + TimeSpan.FromMilliseconds(1) })
        {
            Assert.Equal("leaseTime", Assert.Throws<ArgumentOutOfRangeException>(
                () => new DistributedBoundedSemaphore(redis.Connection, key, 1, leaseTime: tooLong)).ParamName);
            Assert.Equal("leaseTime", Assert.Throws<ArgumentOutOfRangeException>(
                () => new DistributedSemaphore(redis.Connection, key, 1, leaseTime: tooLong)).ParamName);
        }

        var clock = new TestClock();
        await using var semaphore = new DistributedBoundedSemaphore(redis.Connection, key, 1, leaseTime: max, timeProvider: clock);
        Assert.False(await redis.Database.KeyExistsAsync(semaphore.HoldersKey));

        var lease = await semaphore.AcquireAsync();
        Assert.Equal(1, await redis.Database.SortedSetLengthAsync(semaphore.HoldersKey));
        Assert.True(await redis.Database.KeyTimeToLiveAsync(semaphore.HoldersKey) > max / 2);
        await lease.ReleaseAsync();
        Assert.Equal(0, await redis.Database.SortedSetLengthAsync(semaphore.HoldersKey));
        Assert.False(lease.IsLost);
    }
}
