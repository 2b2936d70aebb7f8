using System;
using Throttle.Limiters;
using Throttle.Storage.Memory;

namespace Throttle.Interop;

/// <summary>A key's state as a lease reports it: capacity, tokens available and refill rate at one moment.</summary>
internal readonly record struct Quota(double Max, double Available, double PerSecond)
{
    // Absorbs floating-point noise so 0.9999999999 tokens after an exact refill count as the whole permit they are.
    private const double Tolerance = 1e-9;

    public static Quota From(LimiterStats stats) => new(stats.MaxTokens, Math.Min(stats.AvailableTokens, stats.MaxTokens), stats.RefillRate);

    public long Limit => Whole(Max);

    public long Remaining => Whole(Available);

    public bool IsFull => Available + Tolerance >= Max;

    /// <summary>How long until every permit is back.</summary>
    public TimeSpan Reset => IsFull ? TimeSpan.Zero : MemoryClock.SecondsToDelay((Max - Available) / PerSecond);

    /// <summary>How long until <paramref name="permits"/> (at least one) are available.</summary>
    public TimeSpan Until(double permits)
    {
        var missing = Math.Max(permits, 1) - Available - Tolerance;
        return missing <= 0 ? TimeSpan.Zero : MemoryClock.SecondsToDelay(missing / PerSecond);
    }

    /// <summary>The state <paramref name="elapsed"/> later, if nothing else happened: refilled, up to the capacity.</summary>
    public Quota After(TimeSpan elapsed) =>
        this with { Available = Math.Min(Max, Available + (Math.Max(0, elapsed.TotalSeconds) * PerSecond)) };

    private static long Whole(double value) =>
        value + Tolerance >= long.MaxValue ? long.MaxValue : (long)Math.Floor(Math.Max(0, value) + Tolerance);
}
