using System;

namespace Throttle.Limiters.Backends;

/// <summary>
/// The outcome of asking a leaky bucket for a start slot: reserved (the call starts after <see cref="Delay"/>), or
/// refused. A reservation's <see cref="QueueEnd"/> identifies it, so a caller that gives up can hand its slot back while
/// it is still the last one reserved (see <see cref="ILeakyBucketBackend.CancelAsync"/>).
/// </summary>
internal readonly record struct LeakyBucketReservation
{
    private LeakyBucketReservation(bool isReserved, TimeSpan delay, TimeSpan roomAfter, double queueEnd)
    {
        IsReserved = isReserved;
        Delay = delay;
        RoomAfter = roomAfter;
        QueueEnd = queueEnd;
        Available = double.NaN;
    }

    /// <summary>Whether a start slot was reserved (the level was raised by the call's tokens).</summary>
    public bool IsReserved { get; }

    /// <summary>
    /// Reserved: how long the caller waits before it starts. Refused: how long until a call could start at once (the
    /// time for the queue ahead to drain, <c>level / rate</c>); that is the wait a maximum wait is judged against.
    /// </summary>
    public TimeSpan Delay { get; }

    /// <summary>Refused: how long until the bucket has room for the call (<c>(level + tokens − capacity) / rate</c>, zero when it has room now).</summary>
    public TimeSpan RoomAfter { get; }

    /// <summary>
    /// Reserved: when the queue empties after this reservation, in the storage's own clock and units (memory: timestamp
    /// ticks after the entry's origin; Redis: server microseconds). NaN when there is nothing to hand back (fail-open).
    /// </summary>
    public double QueueEnd { get; }

    /// <summary>
    /// The bucket's room (capacity − level) right after the call, when the backend read it in the same step (Redis's
    /// acquire script answers it); NaN otherwise.
    /// </summary>
    public double Available { get; private init; }

    /// <summary>This outcome with the room left after the call.</summary>
    public LeakyBucketReservation WithAvailable(double available) => this with { Available = available };

    /// <summary>A slot starting after <paramref name="delay"/>; <paramref name="queueEnd"/> identifies it.</summary>
    public static LeakyBucketReservation Reserved(TimeSpan delay, double queueEnd) =>
        new(true, delay < TimeSpan.Zero ? TimeSpan.Zero : delay, TimeSpan.Zero, queueEnd);

    /// <summary>No slot: a call could start at once after <paramref name="delay"/>, and would fit after <paramref name="roomAfter"/>.</summary>
    public static LeakyBucketReservation Refused(TimeSpan delay, TimeSpan roomAfter) =>
        new(false, delay < TimeSpan.Zero ? TimeSpan.Zero : delay, roomAfter < TimeSpan.Zero ? TimeSpan.Zero : roomAfter, double.NaN);

    /// <summary>The non-waiting view: acquired only when the slot starts now; otherwise rejected until a call could start at once.</summary>
    public RateLimitDecision ToDecision() =>
        IsReserved ? RateLimitDecision.Acquired : RateLimitDecision.Rejected(Delay);
}
