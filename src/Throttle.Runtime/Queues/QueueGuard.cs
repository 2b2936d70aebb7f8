using System;

namespace Throttle.Queues;

/// <summary>Argument checks of the queues: each throws an ArgumentException-family error naming the parameter.</summary>
internal static class QueueGuard
{
    /// <summary>The longest timer due time .NET accepts (uint.MaxValue - 1 milliseconds).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1.0);

    /// <summary>A timeout or interval: zero or positive, and finite (at most <see cref="MaxTimeout"/>).</summary>
    public static TimeSpan Timeout(TimeSpan value, string paramName)
    {
        if (value < TimeSpan.Zero || value > MaxTimeout)
        {
            throw new ArgumentOutOfRangeException(
                paramName, value, $"{paramName} must be zero or positive and finite (at most {MaxTimeout}); Timeout.InfiniteTimeSpan is not allowed.");
        }

        return value;
    }

    /// <summary>A period: positive and finite.</summary>
    public static TimeSpan Positive(TimeSpan value, string paramName)
    {
        if (value <= TimeSpan.Zero || value > MaxTimeout)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be positive and finite (at most {MaxTimeout}).");
        }

        return value;
    }

    /// <summary>A delay: zero or positive; any length that keeps the due time representable.</summary>
    public static TimeSpan Delay(TimeSpan value, long nowTicks, string paramName)
    {
        if (value < TimeSpan.Zero || value.Ticks > DateTimeOffset.MaxValue.UtcTicks - nowTicks)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be zero or positive, and end before DateTimeOffset.MaxValue.");
        }

        return value;
    }
}
