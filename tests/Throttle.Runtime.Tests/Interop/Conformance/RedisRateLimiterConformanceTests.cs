using System;
using System.Collections.Generic;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Throttle.Interop;
using Throttle.Limiters;
using Throttle.Storage.Redis;
using Throttle.Testing;
using Throttle.Testing.Redis;
using Throttle.Tests.Storage.Redis;
using Xunit;

namespace Throttle.Tests.Interop.Conformance;

/// <summary>
/// Throttle's <c>AsRateLimiter</c> over a token bucket on <see cref="RedisStorage"/> (a real redis-server). Decisions
/// use the server's clock, so a replenishment waits one real period (two seconds per permit it refills); the view's own timers run on the fake clock, which
/// moves by the same amount. Synchronous attempts never decide here (<see cref="RateLimiterConformanceTests.AttemptDecides"/>).
/// Needs Redis: without one these fail with the fixture's reason.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class RedisRateLimiterConformanceTests(RedisFixture redis) : RateLimiterConformanceTests, IAsyncLifetime
{
    // The bucket refills continuously on the server's clock, so one permit comes back every PeriodPerToken whatever a
    // case's tokensPerPeriod: long enough that the test's own steps (a few ms each, far more on a loaded machine) never
    // add a whole permit before a waiter has queued. At 2 per 1 s a permit was back after 0.5 s, and a loaded run served
    // the waiter at once instead of queuing it; at 1 s a clean-clone CI run (2 cores, the whole suite) stalled that long
    // once between a refusal and the queue check.
    private static readonly TimeSpan PeriodPerToken = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(60);
    private readonly TestClock _clock = new();
    private readonly Dictionary<RateLimiter, TimeSpan> _periods = [];
    private RedisStorage? _storage;

    protected override bool AttemptDecides => false;

    protected override bool GrantedLeasesCarryQuota => true;

    public Task InitializeAsync()
    {
        _storage = redis.CreateStorage(redis.StoragePrefix("strl-" + Guid.NewGuid().ToString("N")), o => o.TimeProvider = _clock);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_storage is not null)
        {
            await _storage.DisposeAsync();
        }
    }

    protected override RateLimiter Create(int tokenLimit, int tokensPerPeriod, int queueLimit, QueueProcessingOrder order = QueueProcessingOrder.OldestFirst)
    {
        var period = PeriodPerToken * tokensPerPeriod;
        var limiter = new TokenBucketLimiter(tokensPerPeriod, period.TotalSeconds, tokenLimit, _storage, scope: Guid.NewGuid().ToString("N"))
            .AsRateLimiter("k", new ThrottleRateLimiterOptions { QueueLimit = queueLimit, QueueProcessingOrder = order });
        _periods.Add(limiter, period);
        return limiter;
    }

    protected override async Task ReplenishAsync(RateLimiter limiter)
    {
        Assert.True(_periods.TryGetValue(limiter, out var period), "The limiter was not made by Create.");
        var replenishment = period + Margin;
        await Task.Delay(replenishment);
        _clock.Advance(replenishment);
    }
}
