using System;
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
/// use the server's clock, so a replenishment waits one real period; the view's own timers run on the fake clock, which
/// moves by the same amount. Synchronous attempts never decide here (<see cref="RateLimiterConformanceTests.AttemptDecides"/>).
/// Needs Redis: without one these fail with the fixture's reason.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class RedisRateLimiterConformanceTests(RedisFixture redis) : RateLimiterConformanceTests, IAsyncLifetime
{
    // Long enough that the test's own steps (a few ms each) never add a whole permit.
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(60);
    private readonly TestClock _clock = new();
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

    protected override RateLimiter Create(int tokenLimit, int tokensPerPeriod, int queueLimit, QueueProcessingOrder order = QueueProcessingOrder.OldestFirst) =>
        new TokenBucketLimiter(tokensPerPeriod, Period.TotalSeconds, tokenLimit, _storage, scope: Guid.NewGuid().ToString("N"))
            .AsRateLimiter("k", new ThrottleRateLimiterOptions { QueueLimit = queueLimit, QueueProcessingOrder = order });

    protected override async Task ReplenishAsync(RateLimiter limiter)
    {
        await Task.Delay(Period + Margin);
        _clock.Advance(Period + Margin);
    }
}
