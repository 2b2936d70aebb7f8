using System;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Throttle.Interop;
using Throttle.Limiters;
using Throttle.Storage;
using Throttle.Testing;

namespace Throttle.Tests.Interop.Conformance;

/// <summary>Throttle's <c>AsRateLimiter</c> over a token bucket on <see cref="MemoryStorage"/>, on a fake clock.</summary>
public sealed class MemoryRateLimiterConformanceTests : RateLimiterConformanceTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private readonly TestClock _clock = new();

    protected override bool GrantedLeasesCarryQuota => true;

    protected override RateLimiter Create(int tokenLimit, int tokensPerPeriod, int queueLimit, QueueProcessingOrder order = QueueProcessingOrder.OldestFirst) =>
        new TokenBucketLimiter(tokensPerPeriod, Period.TotalSeconds, tokenLimit, new MemoryStorage(100, _clock))
            .AsRateLimiter("k", new ThrottleRateLimiterOptions { QueueLimit = queueLimit, QueueProcessingOrder = order });

    protected override Task ReplenishAsync(RateLimiter limiter)
    {
        _clock.Advance(Period);
        return Task.CompletedTask;
    }
}
