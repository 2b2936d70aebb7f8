using System;

namespace Throttle.Hosting.HealthChecks;

/// <summary>Settings of the Throttle health check (<c>AddHealthChecks().AddThrottle()</c>).</summary>
public sealed class ThrottleHealthCheckOptions
{
    /// <summary>The default <see cref="QueueBacklogThreshold"/>.</summary>
    public const int DefaultQueueBacklogThreshold = 1000;

    private int _queueBacklogThreshold = DefaultQueueBacklogThreshold;

    /// <summary>
    /// A queue with more calls waiting than this makes the check Degraded (naming the queue). At least 0. Default
    /// <see cref="DefaultQueueBacklogThreshold"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int QueueBacklogThreshold
    {
        get => _queueBacklogThreshold;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _queueBacklogThreshold = value;
        }
    }

    /// <summary>Whether a circuit breaker that is not closed (open, half-open or isolated) makes the check Degraded. Default true.</summary>
    public bool ReportOpenCircuitBreakers { get; set; } = true;
}
