using Throttle.Limiters;
using Throttle.Limiters.Backends;

namespace Throttle.Storage.Memory;

/// <summary>
/// Leaky bucket in process: the level drains at the leak rate; a request is admitted when
/// <c>level + tokens ≤ capacity</c> and raises the level, else it is rejected with
/// <c>RetryAfter = (level + tokens − capacity) / rate</c>. O(1).
/// </summary>
internal sealed class MemoryLeakyBucketBackend(MemoryStorage storage, LimiterDefinition definition)
    : MemoryLimiterBackend<LeakyBucketEntry>(storage, definition)
{
    protected override LeakyBucketEntry Create(string key, long now, LimiterRate rate) =>
        new(key, now, rate.PerSecond / Clock.Frequency);

    protected override RateLimitDecision TryAcquire(LeakyBucketEntry entry, long now, double tokens, LimiterRate rate)
    {
        entry.Drain(now, rate.PerSecond / Clock.Frequency);
        if (entry.Level + tokens <= rate.Capacity + Tolerance)
        {
            entry.Level += tokens;
            return RateLimitDecision.Acquired;
        }

        var excess = entry.Level + tokens - rate.Capacity - Tolerance;
        return RateLimitDecision.Rejected(MemoryClock.SecondsToDelay(excess / rate.PerSecond));
    }

    protected override void Release(LeakyBucketEntry entry, long now, double tokens, LimiterRate rate)
    {
        entry.Drain(now, rate.PerSecond / Clock.Frequency);
        var level = entry.Level - tokens;
        entry.Level = level > 0 ? level : 0;
    }

    protected override LimiterStats GetStats(LeakyBucketEntry entry, long now, LimiterRate rate)
    {
        var elapsed = now - entry.Updated;
        var level = entry.Level - ((elapsed > 0 ? elapsed : 0) * entry.LeakPerTick);
        var available = rate.Capacity - (level > 0 ? level : 0);
        return new LimiterStats(available, rate.Capacity, rate.PerSecond, Clock.ToUtc(entry.Updated, now));
    }

    protected override LimiterStats FreshStats(LimiterRate rate) => new(rate.Capacity, rate.Capacity, rate.PerSecond, null);
}
