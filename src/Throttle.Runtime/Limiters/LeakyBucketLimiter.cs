using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Internal;
using Throttle.Limiters.Backends;
using Throttle.Storage;

namespace Throttle.Limiters;

/// <summary>
/// Leaky bucket per key that shapes traffic: a level that drains at <c>rate</c> tokens per second; a request is admitted
/// while the level plus its tokens stays within <c>capacity</c>, and admitted calls start one after another, each
/// <c>tokens / rate</c> seconds after the one before. A burst is spread into an even flow instead of passing at once.
/// </summary>
/// <remarks>
/// <para>
/// The state is the moment the key's queue empties; <c>level = max(0, queueEnd − now) × rate</c>.
/// <see cref="ThrottleLimiter.AcquireAsync"/> reserves the start <c>max(now, queueEnd)</c> when
/// <c>level + tokens ≤ capacity</c>, moves <c>queueEnd</c> <c>tokens / rate</c> later, and waits on the limiter's
/// <see cref="ThrottleLimiter.TimeProvider"/> until that start (no polling). So a burst of <c>capacity</c> one-token calls
/// starts at <c>0, 1/rate, …, (capacity − 1)/rate</c>, and the next one finds the bucket full: it waits
/// <c>(level + tokens − capacity) / rate</c> for room, then reserves. The wait judged against <c>maxWait</c> is the
/// start delay <c>level / rate</c>; when it is longer the call fails at once with
/// <see cref="RateLimitRejectedException"/> whose <c>RetryAfter</c> is that delay (when a call could start at once).
/// </para>
/// <para>
/// <see cref="ThrottleLimiter.TryAcquireAsync"/> and <see cref="ThrottleLimiter.AttemptAcquireAsync"/> never wait, so
/// they grant only a call that may start now: nothing is queued ahead (the level is empty, which also means
/// <c>tokens / rate</c> has passed since the previous start). Otherwise they reject with
/// <c>RetryAfter = level / rate</c>. Non-waiting and waiting callers thus share one schedule.
/// </para>
/// <para>
/// A waiting caller that is cancelled hands its slot back when it is still the last one reserved (the next caller
/// takes that start); otherwise its slot stays in the schedule as an idle gap that drains like any other, so later
/// callers keep their start times and never start closer than <c>tokens / rate</c>.
/// <see cref="ThrottleLimiter.ReleaseAsync"/> lowers the level (never below empty) once every reserved call has
/// started; while one still waits it changes nothing, for the same reason.
/// </para>
/// </remarks>
public sealed class LeakyBucketLimiter : ThrottleLimiter
{
    private readonly ILeakyBucketBackend _backend;
    private readonly LimiterRate _rate;

    /// <summary>Creates a leaky bucket limiter.</summary>
    /// <param name="rate">Leak rate in tokens per second; positive and finite.</param>
    /// <param name="capacity">The bucket's capacity; positive and finite.</param>
    /// <param name="storage">Where the buckets live. Default: a new <see cref="MemoryStorage"/>.</param>
    /// <param name="scope">Namespace of the buckets; leaky bucket limiters sharing storage and scope share buckets per key.</param>
    /// <exception cref="ArgumentOutOfRangeException">A number is not positive and finite.</exception>
    /// <exception cref="ArgumentException"><paramref name="scope"/> is null or empty.</exception>
    public LeakyBucketLimiter(double rate, double capacity, ThrottleStorage? storage = null, string scope = "default")
        : base(scope, (storage ??= new MemoryStorage()).TimeProvider)
    {
        Rate = Guard.PositiveFinite(rate, nameof(rate));
        BucketCapacity = Guard.PositiveFinite(capacity, nameof(capacity));
        Storage = storage;
        _rate = new LimiterRate(capacity, rate);
        _backend = (ILeakyBucketBackend)storage.CreateLimiterBackend(
            new LimiterDefinition(LimiterAlgorithm.LeakyBucket, scope, capacity, rate, TimeSpan.Zero));
    }

    /// <summary>Leak rate in tokens per second.</summary>
    public double Rate { get; }

    /// <summary>The bucket's capacity (the same as <see cref="Capacity"/>).</summary>
    public double BucketCapacity { get; }

    /// <summary>Where the buckets live.</summary>
    public ThrottleStorage Storage { get; }

    /// <inheritdoc />
    public override double Capacity => BucketCapacity;

    /// <inheritdoc />
    internal override bool DecisionsCarryQuota => true;

    /// <inheritdoc />
    protected override ValueTask<RateLimitDecision> AttemptAcquireCoreAsync(string key, double tokens, CancellationToken cancellationToken) =>
        _backend.TryAcquireAsync(key, tokens, _rate, cancellationToken);

    /// <inheritdoc />
    protected override ValueTask ReleaseCoreAsync(string key, double tokens, CancellationToken cancellationToken) =>
        _backend.ReleaseAsync(key, tokens, _rate, cancellationToken);

    /// <inheritdoc />
    protected override ValueTask<LimiterStats> GetStatsCoreAsync(string key, CancellationToken cancellationToken) =>
        _backend.GetStatsAsync(key, _rate, cancellationToken);

    /// <summary>Reserves a start slot and waits for it; a slot that starts now costs no allocation.</summary>
    private protected override ValueTask AcquireCoreAsync(string key, double tokens, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        // The reservation itself is not cancelled (it is one bounded storage call): a call cancelled in flight could
        // still reserve on the server and leave a slot nobody hands back. Cancellation is honoured right after it.
        var pending = _backend.ReserveAsync(key, tokens, _rate, maxWait, CancellationToken.None);
        if (!pending.IsCompletedSuccessfully)
        {
            return WaitForSlotAsync(pending, key, tokens, maxWait, cancellationToken);
        }

        var reservation = pending.Result;
        return reservation.IsReserved && reservation.Delay == TimeSpan.Zero
            ? default
            : WaitForSlotAsync(new ValueTask<LeakyBucketReservation>(reservation), key, tokens, maxWait, cancellationToken);
    }

    private async ValueTask WaitForSlotAsync(
        ValueTask<LeakyBucketReservation> first, string key, double tokens, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var started = TimeProvider.GetTimestamp();
        var reservation = await first.ConfigureAwait(false);
        while (!reservation.IsReserved)
        {
            var remaining = Timeout.InfiniteTimeSpan;
            if (maxWait != Timeout.InfiniteTimeSpan)
            {
                remaining = maxWait - TimeProvider.GetElapsedTime(started);
                if (reservation.Delay > remaining)
                {
                    // Even with room the call would start after the maximum wait: fail now rather than wait in vain.
                    throw new RateLimitRejectedException(key, reservation.Delay, maxWait);
                }
            }

            // The bucket is full: wait until enough has leaked out to hold this call, then reserve again. Waits of a slow
            // leak can exceed what one timer takes; LongTimer waits them in chunks.
            var untilRoom = reservation.RoomAfter > MinimumRetryDelay ? reservation.RoomAfter : MinimumRetryDelay;
            await LongTimer.Delay(WholeMilliseconds(untilRoom), TimeProvider, cancellationToken).ConfigureAwait(false);
            if (remaining != Timeout.InfiniteTimeSpan)
            {
                remaining = maxWait - TimeProvider.GetElapsedTime(started);
                remaining = remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
            }

            reservation = await _backend.ReserveAsync(key, tokens, _rate, remaining, CancellationToken.None).ConfigureAwait(false);
        }

        if (reservation.Delay == TimeSpan.Zero && !cancellationToken.IsCancellationRequested)
        {
            return;
        }

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            await LongTimer.Delay(WholeMilliseconds(reservation.Delay), TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await CancelReservationAsync(key, tokens, reservation.QueueEnd).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Rounds a wait up to whole milliseconds: timers count whole milliseconds and drop the rest, which would let a call
    /// start a fraction of a millisecond before its slot.
    /// </summary>
    private static TimeSpan WholeMilliseconds(TimeSpan delay)
    {
        var rest = delay.Ticks % TimeSpan.TicksPerMillisecond;
        return rest == 0 || delay.Ticks > TimeSpan.MaxValue.Ticks - TimeSpan.TicksPerMillisecond
            ? delay
            : TimeSpan.FromTicks(delay.Ticks - rest + TimeSpan.TicksPerMillisecond);
    }

    private async ValueTask CancelReservationAsync(string key, double tokens, double queueEnd)
    {
        if (double.IsNaN(queueEnd))
        {
            return;
        }

        try
        {
            // Not cancellable: the caller already gave up, and the hand-back must still happen.
            await _backend.CancelAsync(key, tokens, _rate, queueEnd, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ThrottleStorageException)
        {
            // The slot stays reserved and drains like an idle gap: nothing is lost for good, and the caller's
            // cancellation, not the storage failure, is what it should see.
        }
    }
}
