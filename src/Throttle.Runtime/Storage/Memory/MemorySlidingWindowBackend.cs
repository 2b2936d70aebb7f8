using Throttle.Limiters;
using Throttle.Limiters.Backends;

namespace Throttle.Storage.Memory;

/// <summary>
/// Sliding window log in process: drop the records older than the window, admit when the remaining weight plus the
/// request fits the capacity. Exact per request; amortised O(1) per admission, O(n) only to compute a rejection's
/// RetryAfter (the moment enough old records leave the window).
/// </summary>
internal sealed class MemorySlidingWindowBackend : MemoryLimiterBackend<SlidingWindowEntry>
{
    private readonly long _window;

    public MemorySlidingWindowBackend(MemoryStorage storage, LimiterDefinition definition)
        : base(storage, definition)
    {
        _window = Clock.ToTimestampTicks(definition.Window);
    }

    protected override SlidingWindowEntry Create(string key, long now, LimiterRate rate) => new(key, now, _window);

    protected override RateLimitDecision TryAcquire(SlidingWindowEntry entry, long now, double tokens, LimiterRate rate)
    {
        entry.Prune(now);
        if (entry.Used + tokens <= rate.Capacity + Tolerance)
        {
            entry.Add(now, tokens);
            return RateLimitDecision.Acquired;
        }

        var needed = entry.Used + tokens - rate.Capacity;
        var freedAt = entry.FreedAt(needed) ?? (now + _window);
        return RateLimitDecision.Rejected(Clock.TimestampToDelay(freedAt - now));
    }

    protected override void Release(SlidingWindowEntry entry, long now, double tokens, LimiterRate rate)
    {
        entry.Prune(now);
        entry.RemoveNewest(tokens);
    }

    protected override LimiterStats GetStats(SlidingWindowEntry entry, long now, LimiterRate rate) =>
        new(Available(entry, now, rate), rate.Capacity, rate.PerSecond, Clock.ToUtc(entry.Newest, now));

    protected override double Available(SlidingWindowEntry entry, long now, LimiterRate rate)
    {
        entry.Prune(now);
        var available = rate.Capacity - entry.Used;
        return available > 0 ? available : 0;
    }

    protected override LimiterStats FreshStats(LimiterRate rate) => new(rate.Capacity, rate.Capacity, rate.PerSecond, null);
}
