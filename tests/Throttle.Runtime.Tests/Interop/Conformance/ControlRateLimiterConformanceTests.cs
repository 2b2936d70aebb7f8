using System;
using System.Threading.RateLimiting;
using System.Threading.Tasks;

namespace Throttle.Tests.Interop.Conformance;

/// <summary>The control: STRL's own <see cref="TokenBucketRateLimiter"/>, replenished by hand. It must pass every case.</summary>
public sealed class ControlRateLimiterConformanceTests : RateLimiterConformanceTests
{
    protected override RateLimiter Create(int tokenLimit, int tokensPerPeriod, int queueLimit, QueueProcessingOrder order = QueueProcessingOrder.OldestFirst) =>
        new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokenLimit,
            TokensPerPeriod = tokensPerPeriod,
            QueueLimit = queueLimit,
            QueueProcessingOrder = order,
            // TryReplenish adds the tokens of every period passed on the real clock: with one tick, that always fills
            // the bucket, so the cases replenish a full bucket at a time (tokensPerPeriod = tokenLimit where it matters).
            ReplenishmentPeriod = TimeSpan.FromTicks(1),
            AutoReplenishment = false,
        });

    protected override Task ReplenishAsync(RateLimiter limiter)
    {
        if (!((TokenBucketRateLimiter)limiter).TryReplenish())
        {
            throw new InvalidOperationException("The control replenishes by hand.");
        }

        return Task.CompletedTask;
    }
}
