using System;
using System.Runtime.CompilerServices;
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
    private readonly double _definedCapacity = definition.Capacity;
    private readonly LimiterRate _definedRate = new(definition.Capacity, definition.RatePerSecond);

    /// <summary>
    /// The limiter's synchronous attempt (<see cref="ThrottleLimiter"/>'s immediate path and the <c>[RateLimit]</c>
    /// site's), at the defined rate and capacity: the same decision as
    /// <see cref="MemoryLimiterBackend{TEntry}.TryAcquireAsync"/> without the <see cref="System.Threading.Tasks.ValueTask{TResult}"/>
    /// and the quota, which the callers of this path never read. The same arithmetic as <see cref="TokenBucketEntry.Refill"/>
    /// and <see cref="Take"/>, written out with the defined rate in fields (no rate to compare per call) and the
    /// rejection's delay out of line.
    /// </summary>
    /// <param name="key">The key whose tokens are taken.</param>
    /// <param name="tokens">Positive, at most the defined capacity (checked by the caller).</param>
    /// <param name="retryAfter">When rejected, the expected wait; otherwise zero.</param>
    /// <returns>Whether the tokens were taken.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAcquireNow(string key, double tokens, out TimeSpan retryAfter)
    {
        var now = Clock.Now();
        while (true)
        {
            var entry = GetOrAdd(key, now, _definedRate);

            // Entered and exited by hand, not with Hold(): nothing in between can throw, and the try/finally of a using
            // measured at twice the gate's own cost here.
            entry.Enter();
            if (entry.Removed)
            {
                entry.Exit();
                continue;
            }

            entry.LastAccess = now;

            // Refill: the rate the bucket earned at until now is the one stored; the defined one applies from now on.
            var balance = entry.Tokens;
            var elapsed = now - entry.Updated;
            if (elapsed > 0)
            {
                balance += elapsed * entry.RatePerTick;
                entry.Updated = now;
            }

            var capacity = _definedCapacity;
            balance = balance < capacity ? balance : capacity;
            entry.RatePerTick = _definedPerTick;
            entry.Burst = capacity;
            if (balance + Tolerance >= tokens)
            {
                var left = balance - tokens;
                entry.Tokens = left > 0 ? left : 0;
                entry.Exit();
                retryAfter = TimeSpan.Zero;
                return true;
            }

            entry.Tokens = balance;
            entry.Exit();
            retryAfter = Shortfall(tokens, balance, _definedRate);
            return false;
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

        retryAfter = Shortfall(tokens, entry.Tokens, rate);
        return false;
    }

    /// <summary>The wait of a rejection: how long <paramref name="balance"/> takes to reach <paramref name="tokens"/> at <paramref name="rate"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TimeSpan Shortfall(double tokens, double balance, LimiterRate rate)
    {
        if (tokens > rate.Capacity)
        {
            // Only an adaptive limiter gets here (its capacity moved below the request): no refill can help until it
            // moves back, so ask for one more full refill period at the current rate.
            return MemoryClock.SecondsToDelay(tokens / rate.PerSecond);
        }

        // Less the tolerance an acquire allows, so floating-point noise does not round the delay up a whole tick.
        var missing = tokens - balance - Tolerance;
        return MemoryClock.SecondsToDelay(missing / rate.PerSecond);
    }
}
