// Also compiled into the generator (internal, under its own namespace), so the strategy values have one definition.
#if THROTTLE_GENERATOR
namespace Throttle.Generator.Policies;
#else
namespace Throttle;
#endif

/// <summary>The algorithm a <c>[RateLimit]</c> attribute uses to decide whether a call may proceed.</summary>
#if THROTTLE_GENERATOR
internal
#else
public
#endif
enum RateLimitStrategy
{
    /// <summary>
    /// Token bucket: tokens refill continuously at <c>rate / per</c> per second up to <c>Burst</c>; a call takes one.
    /// Allows short bursts, O(1) per call.
    /// </summary>
    TokenBucket = 0,

    /// <summary>
    /// Sliding window log: at most <c>rate</c> calls in any window of <c>per</c> seconds, counted request by request.
    /// Exact, at the cost of one timestamp per admitted call.
    /// </summary>
    SlidingWindow = 1,

    /// <summary>
    /// Leaky bucket that shapes traffic: the level drains at <c>rate / per</c> per second and holds at most
    /// <c>Burst</c>; admitted calls start one after another, <c>per / rate</c> seconds apart, so a burst of <c>Burst</c>
    /// calls is spread over <c>Burst × per / rate</c> seconds instead of running at once. A call beyond <c>Burst</c>
    /// waits for room; when its start would come later than <c>MaxWaitSeconds</c> it fails at once with
    /// <c>RateLimitRejectedException</c>, whose <c>RetryAfter</c> is the time until a call could start at once.
    /// </summary>
    LeakyBucket = 2,
}
