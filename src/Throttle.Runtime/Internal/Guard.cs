using System;
using System.Threading;
using Throttle.Policies;

namespace Throttle.Internal;

/// <summary>Argument checks shared by the runtime: each throws an ArgumentException-family error naming the parameter.</summary>
internal static class Guard
{
    public static double PositiveFinite(double value, string paramName)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(paramName, OptionRules.PositiveFiniteMessage(paramName, value));
        }

        return value;
    }

    public static TimeSpan NonNegativeOrInfinite(TimeSpan value, string paramName)
    {
        if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be zero or positive, or Timeout.InfiniteTimeSpan.");
        }

        return value;
    }

    /// <summary>Seconds as a wait bound: zero, positive, or positive infinity (no bound).</summary>
    public static TimeSpan WaitSeconds(double seconds, string paramName)
    {
        if (double.IsPositiveInfinity(seconds))
        {
            return Timeout.InfiniteTimeSpan;
        }

        if (!(seconds >= 0))
        {
            throw new ArgumentOutOfRangeException(paramName, OptionRules.WaitOrInfiniteMessage(paramName, seconds));
        }

        return seconds >= TimeSpan.MaxValue.TotalSeconds ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(seconds);
    }

    public static string Key(string key, string paramName = "key")
    {
        ArgumentException.ThrowIfNullOrEmpty(key, paramName);
        return key;
    }
}
