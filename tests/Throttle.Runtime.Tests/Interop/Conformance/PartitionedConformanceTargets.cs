using System;
using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Throttle.Interop;
using Throttle.Limiters;
using Throttle.Storage;
using Throttle.Storage.Redis;
using Throttle.Testing;
using Throttle.Testing.Redis;
using Throttle.Tests.Storage.Redis;
using Xunit;

namespace Throttle.Tests.Interop.Conformance;

/// <summary>The control: <see cref="PartitionedRateLimiter.Create{TResource, TPartitionKey}"/> over STRL token buckets, replenished by hand.</summary>
public sealed class ControlPartitionedConformanceTests : PartitionedRateLimiterConformanceTests
{
    private readonly ConcurrentBag<TokenBucketRateLimiter> _buckets = [];

    protected override PartitionedRateLimiter<string> Create(int tokenLimit, int queueLimit) =>
        PartitionedRateLimiter.Create<string, string>(resource => RateLimitPartition.Get(resource, _ =>
        {
            var bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = tokenLimit,
                TokensPerPeriod = tokenLimit,
                QueueLimit = queueLimit,
                ReplenishmentPeriod = TimeSpan.FromTicks(1), // see ControlRateLimiterConformanceTests
                AutoReplenishment = false,
            });
            _buckets.Add(bucket);
            return bucket;
        }));

    protected override Task ReplenishAsync()
    {
        foreach (var bucket in _buckets)
        {
            bucket.TryReplenish();
        }

        return Task.CompletedTask;
    }
}

/// <summary>Throttle's <c>AsPartitionedRateLimiter</c> over a token bucket on memory, on a fake clock.</summary>
public sealed class MemoryPartitionedConformanceTests : PartitionedRateLimiterConformanceTests
{
    private readonly TestClock _clock = new();

    protected override PartitionedRateLimiter<string> Create(int tokenLimit, int queueLimit) =>
        new TokenBucketLimiter(tokenLimit, storage: new MemoryStorage(100, _clock))
            .AsPartitionedRateLimiter(new ThrottleRateLimiterOptions { QueueLimit = queueLimit });

    protected override Task ReplenishAsync()
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        return Task.CompletedTask;
    }
}

/// <summary>
/// <see cref="PartitionedRateLimiter.Create{TResource, TPartitionKey}"/> over Throttle <c>AsRateLimiter(key)</c> views on
/// memory: what ASP.NET Core's rate limiting policies build.
/// </summary>
public sealed class MemoryPerKeyPartitionedConformanceTests : PartitionedRateLimiterConformanceTests
{
    private readonly TestClock _clock = new();

    protected override PartitionedRateLimiter<string> Create(int tokenLimit, int queueLimit)
    {
        var limiter = new TokenBucketLimiter(tokenLimit, storage: new MemoryStorage(100, _clock));
        var options = new ThrottleRateLimiterOptions { QueueLimit = queueLimit };
        return PartitionedRateLimiter.Create<string, string>(resource => RateLimitPartition.Get(resource, key => limiter.AsRateLimiter(key, options)));
    }

    protected override Task ReplenishAsync()
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        return Task.CompletedTask;
    }
}

/// <summary>Throttle's <c>AsPartitionedRateLimiter</c> on a real redis-server; a replenishment waits one real second.</summary>
[Collection(RedisFixture.CollectionName)]
public sealed class RedisPartitionedConformanceTests(RedisFixture redis) : PartitionedRateLimiterConformanceTests, IAsyncLifetime
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(60);
    private readonly TestClock _clock = new();
    private RedisStorage? _storage;

    public Task InitializeAsync()
    {
        _storage = redis.CreateStorage(redis.StoragePrefix("strl-p-" + Guid.NewGuid().ToString("N")), o => o.TimeProvider = _clock);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_storage is not null)
        {
            await _storage.DisposeAsync();
        }
    }

    protected override PartitionedRateLimiter<string> Create(int tokenLimit, int queueLimit) =>
        new TokenBucketLimiter(tokenLimit, storage: _storage, scope: Guid.NewGuid().ToString("N"))
            .AsPartitionedRateLimiter(new ThrottleRateLimiterOptions { QueueLimit = queueLimit });

    protected override async Task ReplenishAsync()
    {
        await Task.Delay(Period);
        _clock.Advance(Period);
    }
}
