using System;

namespace Throttle.Limiters;

/// <summary>Describes one AIMD adjustment of an <see cref="AdaptiveLimiter"/>'s rate.</summary>
public sealed class AdaptiveRateChangedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="previousRate">The rate before the adjustment.</param>
    /// <param name="newRate">The rate after it.</param>
    /// <param name="errorRate">The window's error rate that caused it: errors / (successes + errors).</param>
    public AdaptiveRateChangedEventArgs(double previousRate, double newRate, double errorRate)
    {
        PreviousRate = previousRate;
        NewRate = newRate;
        ErrorRate = errorRate;
    }

    /// <summary>The rate before the adjustment.</summary>
    public double PreviousRate { get; }

    /// <summary>The rate after the adjustment.</summary>
    public double NewRate { get; }

    /// <summary>The window's error rate that caused the adjustment.</summary>
    public double ErrorRate { get; }
}
