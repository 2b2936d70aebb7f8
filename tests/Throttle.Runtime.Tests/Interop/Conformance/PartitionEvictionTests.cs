using System;
using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Throttle.Interop;
using Throttle.Limiters;
using Throttle.Storage;
using Throttle.Testing;
using Xunit;

namespace Throttle.Tests.Interop.Conformance;

/// <summary>
/// <see cref="PartitionedRateLimiter.Create{TResource, TPartitionKey}"/> disposes the limiter of a partition idle for
/// more than its idle limit (10 s, checked by a heartbeat on the real clock) and keeps a partition in use. That works
/// only if <see cref="RateLimiter.IdleDuration"/> is real: null in use, a value when idle.
/// </summary>
public abstract class PartitionEvictionTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(40);
    private readonly ConcurrentDictionary<string, RateLimiter> _created = new();

    /// <summary>A limiter of one permit for <paramref name="key"/>; <paramref name="slow"/>: it never refills during the test.</summary>
    protected abstract RateLimiter Create(string key, bool slow);

    /// <summary>Makes more than 10 s of idleness visible to <see cref="RateLimiter.IdleDuration"/>.</summary>
    protected abstract Task PassIdleLimitAsync();

    [Fact]
    public async Task An_idle_partition_is_disposed_and_one_in_use_is_kept()
    {
        using var partitioned = PartitionedRateLimiter.Create<string, string>(resource =>
            RateLimitPartition.Get(resource, key => _created.GetOrAdd(key, k => Create(k, slow: k == "busy"))));
        using var idle = await partitioned.AcquireAsync("idle", 0); // creates the partition, takes nothing: full, so idle
        using var busy = await partitioned.AcquireAsync("busy", 1); // takes its only permit: in use
        Assert.True(idle.IsAcquired && busy.IsAcquired);

        await PassIdleLimitAsync();

        var deadline = DateTime.UtcNow + Safety;
        while (!IsDisposed(_created["idle"]))
        {
            Assert.True(DateTime.UtcNow < deadline, "The idle partition was never disposed.");
            await Task.Delay(50);
        }

        // The heartbeat that disposed the idle one saw the busy one too, and kept it.
        Assert.False(IsDisposed(_created["busy"]));
    }

    private static bool IsDisposed(RateLimiter limiter)
    {
        try
        {
            limiter.GetStatistics();
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }
}

/// <summary>The control: STRL token buckets, whose idle time is measured on the real clock (this case takes over 10 s).</summary>
public sealed class ControlPartitionEvictionTests : PartitionEvictionTests
{
    protected override RateLimiter Create(string key, bool slow) => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
    {
        TokenLimit = 1,
        TokensPerPeriod = 1,
        QueueLimit = 0,
        ReplenishmentPeriod = TimeSpan.FromHours(1),
        AutoReplenishment = false,
    });

    protected override Task PassIdleLimitAsync() => Task.Delay(TimeSpan.FromSeconds(10.2));
}

/// <summary>Throttle views on memory: idle time on the fake clock.</summary>
public sealed class MemoryPartitionEvictionTests : PartitionEvictionTests
{
    private readonly TestClock _clock = new();

    protected override RateLimiter Create(string key, bool slow) =>
        new TokenBucketLimiter(1, slow ? 1e6 : 1, storage: new MemoryStorage(100, _clock)).AsRateLimiter(key);

    protected override Task PassIdleLimitAsync()
    {
        _clock.Advance(TimeSpan.FromSeconds(11));
        return Task.CompletedTask;
    }
}
