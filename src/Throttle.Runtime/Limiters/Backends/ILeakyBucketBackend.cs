using System;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Limiters.Backends;

/// <summary>
/// A leaky bucket that shapes traffic (README.md, "Limiters"): besides the non-waiting
/// <see cref="ILimiterBackend.TryAcquireAsync"/> (granted only when the call may start now), it reserves start slots.
/// The state is the moment the queue empties; <c>level = max(0, queueEnd − now) × rate</c>.
/// </summary>
internal interface ILeakyBucketBackend : ILimiterBackend
{
    /// <summary>
    /// Atomically: when <c>level + tokens ≤ capacity</c> and the call's start delay <c>level / rate</c> is within
    /// <paramref name="maxDelay"/>, reserves the start <c>max(now, queueEnd)</c> and moves the queue's end
    /// <c>tokens / rate</c> later; otherwise reserves nothing.
    /// </summary>
    /// <param name="key">The caller's key (the backend adds the scope).</param>
    /// <param name="tokens">Positive, at most the capacity.</param>
    /// <param name="rate">Capacity and leak rate.</param>
    /// <param name="maxDelay">The longest start delay the caller accepts; <see cref="Timeout.InfiniteTimeSpan"/> for any.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    ValueTask<LeakyBucketReservation> ReserveAsync(
        string key, double tokens, LimiterRate rate, TimeSpan maxDelay, CancellationToken cancellationToken);

    /// <summary>
    /// A reserved caller gave up before its start: when its reservation is still the last one (the queue still ends at
    /// <paramref name="queueEnd"/>), the queue's end moves back to that reservation's start, so the next call takes the
    /// slot. Otherwise nothing changes: later callers keep their start times and the unused slot drains as a gap.
    /// </summary>
    ValueTask CancelAsync(string key, double tokens, LimiterRate rate, double queueEnd, CancellationToken cancellationToken);
}
