using System;
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
    // The defined rate in tokens per timestamp tick, divided once: only an adaptive limiter passes another rate per call.
    private readonly double _definedPerSecond = definition.RatePerSecond;
    private readonly double _definedPerTick = definition.RatePerSecond / storage.TimeProvider.TimestampFrequency;

    /// <summary>
    /// The limiter's synchronous attempt (<see cref="ThrottleLimiter"/>'s immediate path): the same decision as
    /// <see cref="MemoryLimiterBackend{TEntry}.TryAcquireAsync"/> without the <see cref="System.Threading.Tasks.ValueTask{TResult}"/>
    /// and the quota, which the callers of this path never read.
    /// </summary>
    /// <returns>Whether the tokens were taken; when not, <paramref name="retryAfter"/> is the expected wait.</returns>
    public bool TryAcquireNow(string key, double tokens, LimiterRate rate, out TimeSpan retryAfter)
    {
        var now = Clock.Now();
        while (true)
        {
            var entry = GetOrAdd(key, now, rate);

            // Entered and exited by hand, not with Hold(): nothing in between can throw, and the try/finally of a using
            // measured at twice the gate's own cost here.
            entry.Enter();
            if (entry.Removed)
            {
                entry.Exit();
                continue;
            }

            entry.LastAccess = now;
            var acquired = Take(entry, now, tokens, rate, out retryAfter);
            entry.Exit();
            return acquired;
        }
    }

    protected override TokenBucketEntry Create(string key, long now, LimiterRate rate) =>
        new(key, now, rate.Capacity, PerTick(rate));

    protected override RateLimitDecision TryAcquire(TokenBucketEntry entry, long now, double tokens, LimiterRate rate) =>
        Take(entry, now, tokens, rate, out var retryAfter) ? RateLimitDecision.Acquired : RateLimitDecision.Rejected(retryAfter);

    protected override void Release(TokenBucketEntry entry, long now, double tokens, LimiterRate rate)
    {
        entry.Refill(now, PerTick(rate), rate.Capacity);
        var sum = entry.Tokens + tokens;
        entry.Tokens = sum < rate.Capacity ? sum : rate.Capacity;
    }

    protected override LimiterStats GetStats(TokenBucketEntry entry, long now, LimiterRate rate) =>
        new(Available(entry, now, rate), rate.Capacity, rate.PerSecond, Clock.ToUtc(entry.Updated, now));

    protected override double Available(TokenBucketEntry entry, long now, LimiterRate rate)
    {
        var elapsed = now - entry.Updated;
        var available = entry.Tokens + ((elapsed > 0 ? elapsed : 0) * entry.RatePerTick);
        return available < rate.Capacity ? available : rate.Capacity;
    }

    protected override LimiterStats FreshStats(LimiterRate rate) => new(rate.Capacity, rate.Capacity, rate.PerSecond, null);

    /// <summary>The rate in tokens per timestamp tick (the same value as dividing it here).</summary>
    private double PerTick(LimiterRate rate) =>
        rate.PerSecond == _definedPerSecond ? _definedPerTick : rate.PerSecond / Clock.Frequency;

    /// <summary>The algorithm's decision; called with the entry held.</summary>
    private bool Take(TokenBucketEntry entry, long now, double tokens, LimiterRate rate, out TimeSpan retryAfter)
    {
        // The rate the bucket earned at until now is the one stored; the new one applies from now on.
        entry.Refill(now, PerTick(rate), rate.Capacity);
        if (entry.Tokens + Tolerance >= tokens)
        {
            var left = entry.Tokens - tokens;
            entry.Tokens = left > 0 ? left : 0;
            retryAfter = TimeSpan.Zero;
            return true;
        }

        if (tokens > rate.Capacity)
        {
            // Only an adaptive limiter gets here (its capacity moved below the request): no refill can help until it
            // moves back, so ask for one more full refill period at the current rate.
            retryAfter = MemoryClock.SecondsToDelay(tokens / rate.PerSecond);
            return false;
        }

        // Less the tolerance an acquire allows, so floating-point noise does not round the delay up a whole tick.
        var missing = tokens - entry.Tokens - Tolerance;
        retryAfter = MemoryClock.SecondsToDelay(missing / rate.PerSecond);
        return false;
    }
}
