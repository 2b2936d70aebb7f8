using System;
using System.Diagnostics;

namespace Throttle.Storage.Memory;

/// <summary>
/// Reads a <see cref="TimeProvider"/>'s timestamp. For <see cref="TimeProvider.System"/> it calls
/// <see cref="Stopwatch.GetTimestamp"/> directly: the same values and frequency, without the virtual call.
/// </summary>
internal readonly struct MemoryClock
{
    private readonly TimeProvider _timeProvider;
    private readonly bool _isSystem;

    public MemoryClock(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _isSystem = ReferenceEquals(timeProvider, TimeProvider.System);
        Frequency = timeProvider.TimestampFrequency;
    }

    /// <summary>Timestamp ticks per second.</summary>
    public long Frequency { get; }

    public long Now() => _isSystem ? Stopwatch.GetTimestamp() : _timeProvider.GetTimestamp();

    /// <summary>The wall-clock moment of timestamp <paramref name="then"/>, given that <paramref name="now"/> is the current timestamp.</summary>
    public DateTimeOffset ToUtc(long then, long now)
    {
        var elapsed = Math.Max(0, now - then);
        // Rounded, not truncated: seconds-as-double would lose a tick to rounding (1.2345670 s -> 1.2345669 s).
        return _timeProvider.GetUtcNow()
            - TimeSpan.FromTicks((long)Math.Round(elapsed * ((double)TimeSpan.TicksPerSecond / Frequency)));
    }

    /// <summary>A duration in timestamp ticks, saturating at <see cref="long.MaxValue"/>.</summary>
    public long ToTimestampTicks(TimeSpan duration)
    {
        var ticks = duration.Ticks * ((double)Frequency / TimeSpan.TicksPerSecond);
        return ticks >= long.MaxValue ? long.MaxValue : (long)Math.Ceiling(ticks);
    }

    /// <summary>A delay of <paramref name="seconds"/>, rounded up to whole <see cref="TimeSpan"/> ticks so the wait is never short.</summary>
    public static TimeSpan SecondsToDelay(double seconds)
    {
        var ticks = Math.Ceiling(seconds * TimeSpan.TicksPerSecond);
        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)Math.Max(0, ticks));
    }

    /// <summary>A timestamp-tick interval as a delay, rounded up.</summary>
    public TimeSpan TimestampToDelay(double timestampTicks) => SecondsToDelay(timestampTicks / Frequency);
}
