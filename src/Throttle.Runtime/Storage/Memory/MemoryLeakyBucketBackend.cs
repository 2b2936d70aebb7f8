using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Limiters.Backends;

namespace Throttle.Storage.Memory;

/// <summary>
/// Leaky bucket in process, as a schedule of start times (README.md, "Limiters"): the level
/// <c>max(0, queueEnd − now) × rate</c> drains at the leak rate; a call of <c>tokens</c> is admitted while
/// <c>level + tokens ≤ capacity</c>, starts at <c>max(now, queueEnd)</c> and moves the queue's end <c>tokens / rate</c>
/// later, so admitted calls start at least <c>tokens / rate</c> apart. O(1).
/// </summary>
internal sealed class MemoryLeakyBucketBackend(MemoryStorage storage, LimiterDefinition definition)
    : MemoryLimiterBackend<LeakyBucketEntry>(storage, definition), ILeakyBucketBackend
{
    public ValueTask<LeakyBucketReservation> ReserveAsync(
        string key, double tokens, LimiterRate rate, TimeSpan maxDelay, CancellationToken cancellationToken)
    {
        var maxDelayTicks = maxDelay == Timeout.InfiniteTimeSpan ? double.PositiveInfinity : (double)Clock.ToTimestampTicks(maxDelay);
        return new ValueTask<LeakyBucketReservation>(Update(
            key, rate, (Backend: this, Tokens: tokens, Rate: rate, MaxDelay: maxDelayTicks),
            static (entry, now, s) => s.Backend.Reserve(entry, now, s.Tokens, s.Rate, s.MaxDelay)));
    }

    public ValueTask CancelAsync(string key, double tokens, LimiterRate rate, double queueEnd, CancellationToken cancellationToken)
    {
        UpdateExisting(key, (Backend: this, Tokens: tokens, Rate: rate, QueueEnd: queueEnd), static (entry, now, s) =>
        {
            // Only the last reservation can go back without moving anyone else's start; the start it frees is the
            // next caller's (which keeps the spacing from the reservation before it).
            if (entry.QueueEnd == s.QueueEnd)
            {
                entry.QueueEnd -= s.Tokens * s.Backend.Clock.Frequency / s.Rate.PerSecond;
                entry.Updated = now;
            }
        });
        return default;
    }

    protected override LeakyBucketEntry Create(string key, long now, LimiterRate rate) => new(key, now);

    // The non-waiting attempt: granted only when the call may start now (nothing queued ahead).
    protected override RateLimitDecision TryAcquire(LeakyBucketEntry entry, long now, double tokens, LimiterRate rate) =>
        Reserve(entry, now, tokens, rate, maxDelayTicks: 0).ToDecision();

    protected override void Release(LeakyBucketEntry entry, long now, double tokens, LimiterRate rate)
    {
        var at = entry.Since(now);
        // A call still waiting for its start holds a fixed time: moving the queue's end back would let the next call
        // start beside it, so a release counts only once every reserved call has started.
        if (entry.LastStart > at)
        {
            return;
        }

        var end = entry.QueueEnd - (tokens * Clock.Frequency / rate.PerSecond);
        entry.QueueEnd = end > at ? end : at;
        entry.Updated = now;
    }

    protected override LimiterStats GetStats(LeakyBucketEntry entry, long now, LimiterRate rate) =>
        new(Available(entry, now, rate), rate.Capacity, rate.PerSecond, Clock.ToUtc(entry.Updated, now));

    protected override double Available(LeakyBucketEntry entry, long now, LimiterRate rate)
    {
        var available = rate.Capacity - Level(entry, entry.Since(now), rate);
        return available > 0 ? available : 0;
    }

    protected override LimiterStats FreshStats(LimiterRate rate) => new(rate.Capacity, rate.Capacity, rate.PerSecond, null);

    private LeakyBucketReservation Reserve(LeakyBucketEntry entry, long now, double tokens, LimiterRate rate, double maxDelayTicks)
    {
        var at = entry.Since(now);
        var ahead = entry.QueueEnd - at;
        var level = Level(entry, at, rate);
        // Within the tolerance the queue counts as empty, so a caller that waited exactly its delay starts at once.
        var waitTicks = level > Tolerance ? ahead : 0;
        if (level + tokens <= rate.Capacity + Tolerance && waitTicks <= maxDelayTicks)
        {
            var start = ahead > 0 ? entry.QueueEnd : at;
            entry.LastStart = start;
            entry.QueueEnd = start + (tokens * Clock.Frequency / rate.PerSecond);
            entry.Updated = now;
            return LeakyBucketReservation.Reserved(Clock.TimestampToDelay(waitTicks), entry.QueueEnd);
        }

        var excess = level + tokens - rate.Capacity - Tolerance;
        return LeakyBucketReservation.Refused(
            Clock.TimestampToDelay(waitTicks), MemoryClock.SecondsToDelay(excess > 0 ? excess / rate.PerSecond : 0));
    }

    private double Level(LeakyBucketEntry entry, double at, LimiterRate rate)
    {
        var ahead = entry.QueueEnd - at;
        return ahead > 0 ? ahead * rate.PerSecond / Clock.Frequency : 0;
    }
}
