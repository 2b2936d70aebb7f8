namespace Throttle.Limiters.Backends;

/// <summary>The admission algorithms a storage must be able to run.</summary>
internal enum LimiterAlgorithm
{
    /// <summary>Refills <c>RatePerSecond</c> continuously up to <c>Capacity</c>; a request takes tokens.</summary>
    TokenBucket,

    /// <summary>A log of admitted requests: at most <c>Capacity</c> within any <c>Window</c>.</summary>
    SlidingWindow,

    /// <summary>A level that drains at <c>RatePerSecond</c>; a request adds to it while it stays within <c>Capacity</c>.</summary>
    LeakyBucket,
}
