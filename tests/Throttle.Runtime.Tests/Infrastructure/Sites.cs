using Throttle.Infrastructure;
using Throttle.Policies;

namespace Throttle.Tests.Infrastructure;

/// <summary>Sites built from the few values a test cares about, the rest at their defaults.</summary>
internal static class Sites
{
    public static RateLimitSite RateLimit(
        string id, double rate, double per, double burst, RateLimitStrategy strategy, string? scope, string? limiter, double maxWaitSeconds) =>
        new(id, new RateLimitOptions
        {
            Rate = limiter is null ? rate : double.NaN,
            Per = per,
            Burst = burst,
            Strategy = strategy,
            Scope = scope,
            Limiter = limiter,
            MaxWaitSeconds = maxWaitSeconds,
        });

    public static DistributedSemaphoreSite Semaphore(
        string id, string key, int value, double acquireTimeoutSeconds, double leaseSeconds, double acquireSleepDelaySeconds) =>
        new(id, new DistributedSemaphoreOptions
        {
            Key = key,
            Value = value,
            AcquireTimeoutSeconds = acquireTimeoutSeconds,
            LeaseSeconds = leaseSeconds,
            AcquireSleepDelaySeconds = acquireSleepDelaySeconds,
        });
}
