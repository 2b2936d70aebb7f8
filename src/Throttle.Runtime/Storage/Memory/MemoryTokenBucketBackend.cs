using Throttle.Limiters;
using Throttle.Limiters.Backends;

namespace Throttle.Storage.Memory;

/// <summary>
/// Token bucket in process: <c>balance = min(capacity, balance + elapsed × rate)</c>; grant when the balance covers the
/// request, else reject with <c>RetryAfter = (tokens − balance) / rate</c>. O(1), fractional balances.
/// </summary>
internal sealed class MemoryTokenBucketBackend(MemoryStorage storage, LimiterDefinition definition)
    : MemoryLimiterBackend<TokenBucketEntry>(storage, definition)
{
    protected override TokenBucketEntry Create(string key, long now, LimiterRate rate) =>
        new(key, now, rate.Capacity, rate.PerSecond / Clock.Frequency);

    protected override RateLimitDecision TryAcquire(TokenBucketEntry entry, long now, double tokens, LimiterRate rate)
    {
        // The rate the bucket earned at until now is the one stored; the new one applies from now on.
        entry.Refill(now, rate.PerSecond / Clock.Frequency, rate.Capacity);
        if (entry.Tokens + Tolerance >= tokens)
        {
            var left = entry.Tokens - tokens;
            entry.Tokens = left > 0 ? left : 0;
            return RateLimitDecision.Acquired;
        }

        if (tokens > rate.Capacity)
        {
            // Only an adaptive limiter gets here (its capacity moved below the request): no refill can help until it
            // moves back, so ask for one more full refill period at the current rate.
            return RateLimitDecision.Rejected(MemoryClock.SecondsToDelay(tokens / rate.PerSecond));
        }

        // Less the tolerance an acquire allows, so floating-point noise does not round the delay up a whole tick.
        var missing = tokens - entry.Tokens - Tolerance;
        return RateLimitDecision.Rejected(MemoryClock.SecondsToDelay(missing / rate.PerSecond));
    }

    protected override void Release(TokenBucketEntry entry, long now, double tokens, LimiterRate rate)
    {
        entry.Refill(now, rate.PerSecond / Clock.Frequency, rate.Capacity);
        var sum = entry.Tokens + tokens;
        entry.Tokens = sum < rate.Capacity ? sum : rate.Capacity;
    }

    protected override LimiterStats GetStats(TokenBucketEntry entry, long now, LimiterRate rate)
    {
        var elapsed = now - entry.Updated;
        var available = entry.Tokens + ((elapsed > 0 ? elapsed : 0) * entry.RatePerTick);
        return new LimiterStats(
            available < rate.Capacity ? available : rate.Capacity, rate.Capacity, rate.PerSecond, Clock.ToUtc(entry.Updated, now));
    }

    protected override LimiterStats FreshStats(LimiterRate rate) => new(rate.Capacity, rate.Capacity, rate.PerSecond, null);
}
