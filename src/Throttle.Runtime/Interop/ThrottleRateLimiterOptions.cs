using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.RateLimiting;
using Throttle.Policies;

namespace Throttle.Interop;

/// <summary>
/// How a System.Threading.RateLimiting view of a Throttle limiter (<see cref="RateLimitingExtensions.AsRateLimiter(Limiters.ThrottleLimiter, string, ThrottleRateLimiterOptions)"/>,
/// <see cref="RateLimitingExtensions.AsPartitionedRateLimiter(Limiters.ThrottleLimiter, ThrottleRateLimiterOptions)"/>)
/// lets <c>AcquireAsync</c> wait: the queue STRL's own limiters offer (<c>QueueLimit</c>, <c>QueueProcessingOrder</c>), plus
/// Throttle's bound on the time one acquisition may wait.
/// </summary>
/// <remarks>
/// The view takes a copy when it is created: changing the options afterwards has no effect. The defaults make
/// <c>AcquireAsync</c> fail at once when no permit is free, as a limiter with a queue limit of 0 does, which is what
/// ASP.NET Core's middleware and Polly's rate limiter strategy expect.
/// </remarks>
public sealed class ThrottleRateLimiterOptions
{
    /// <summary>
    /// The most permits that may wait in <c>AcquireAsync</c> at once, per key (per partition). An acquisition that would
    /// take the queue beyond it fails at once (<see cref="System.Threading.RateLimiting.QueueProcessingOrder.OldestFirst"/>)
    /// or pushes the oldest waiters out with failed leases (<see cref="System.Threading.RateLimiting.QueueProcessingOrder.NewestFirst"/>).
    /// Zero or more; default 0: <c>AcquireAsync</c> never waits for a permit (an acquisition of zero permits still waits
    /// for availability, as with STRL's limiters).
    /// </summary>
    public int QueueLimit { get; set; }

    /// <summary>
    /// Which waiting acquisition is served first when permits come back. Default
    /// <see cref="System.Threading.RateLimiting.QueueProcessingOrder.OldestFirst"/>: waiters are served in arrival order
    /// and new acquisitions do not overtake them. <see cref="System.Threading.RateLimiting.QueueProcessingOrder.NewestFirst"/>
    /// serves the newest first and lets new acquisitions take free permits ahead of the queue.
    /// </summary>
    public QueueProcessingOrder QueueProcessingOrder { get; set; } = QueueProcessingOrder.OldestFirst;

    /// <summary>
    /// The longest one acquisition waits in the queue: when it passes, or as soon as the limiter says the next permit is
    /// further away than the wait left, the acquisition fails with a lease carrying <see cref="MetadataName.RetryAfter"/>.
    /// Positive, or <see cref="Timeout.InfiniteTimeSpan"/> (the default) for no bound beyond <see cref="QueueLimit"/>
    /// and cancellation.
    /// </summary>
    public TimeSpan MaxWait { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>A checked copy, so later changes to this instance do not reach a view made from it.</summary>
    /// <exception cref="ArgumentException">An option is out of range; <see cref="ArgumentException.ParamName"/> names it.</exception>
    internal ThrottleRateLimiterOptions Validated()
    {
        var problems = new List<OptionProblem>();
        OptionRules.AtLeast(problems, nameof(QueueLimit), QueueLimit, 0);
        if (MaxWait != Timeout.InfiniteTimeSpan)
        {
            OptionRules.PositiveOrInfinite(problems, nameof(MaxWait), MaxWait.TotalSeconds);
        }

        OptionRules.ThrowFirst(problems);
        if (QueueProcessingOrder is not (QueueProcessingOrder.OldestFirst or QueueProcessingOrder.NewestFirst))
        {
            throw new ArgumentOutOfRangeException(
                nameof(QueueProcessingOrder), QueueProcessingOrder, "QueueProcessingOrder must be OldestFirst or NewestFirst.");
        }

        return new ThrottleRateLimiterOptions { QueueLimit = QueueLimit, QueueProcessingOrder = QueueProcessingOrder, MaxWait = MaxWait };
    }
}
