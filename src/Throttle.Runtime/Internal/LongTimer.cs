using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Policies;

namespace Throttle.Internal;

/// <summary>
/// Timers and delays of any length on a <see cref="TimeProvider"/>. One timer takes at most
/// <see cref="OptionRules.TimerLimitSeconds"/> (about 49.7 days) and throws for a longer due time; a longer wait is
/// waited in chunks of at most that, so it ends exactly when due instead of throwing for a parameter the caller never
/// passed (<c>dueTime</c>, <c>delay</c>).
/// </summary>
internal sealed class LongTimer : IDisposable
{
    /// <summary>The longest due time one timer takes.</summary>
    internal static readonly TimeSpan MaxChunk = TimeSpan.FromSeconds(OptionRules.TimerLimitSeconds);

    private readonly object _gate = new();
    private readonly TimerCallback _callback;
    private readonly object? _state;
    private readonly TimeProvider _timeProvider;
    private readonly long _started;
    private readonly TimeSpan _dueTime;
    private readonly ITimer _timer;

    /// <summary>Calls <paramref name="callback"/> once, <paramref name="dueTime"/> (zero or positive, any length) from now.</summary>
    public LongTimer(TimeProvider timeProvider, TimerCallback callback, object? state, TimeSpan dueTime)
    {
        _timeProvider = timeProvider;
        _callback = callback;
        _state = state;
        _started = timeProvider.GetTimestamp();
        _dueTime = dueTime;
        lock (_gate)
        {
            // Under the lock: a first chunk that fires at once must not find _timer unset.
            _timer = timeProvider.CreateTimer(static timer => ((LongTimer)timer!).OnChunk(), this, Chunk(dueTime), Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Waits <paramref name="delay"/> (zero, positive of any length, or <see cref="Timeout.InfiniteTimeSpan"/>).</summary>
    public static Task Delay(TimeSpan delay, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        delay <= MaxChunk ? Task.Delay(delay, timeProvider, cancellationToken) : DelayInChunksAsync(delay, timeProvider, cancellationToken);

    /// <summary>Stops the timer; the callback is not called after the chunk in flight, if any.</summary>
    public void Dispose() => _timer.Dispose();

    // Each chunk is measured from the start on the clock, not summed: a chunk that fires late does not delay the end.
    private static async Task DelayInChunksAsync(TimeSpan delay, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        for (var left = delay; left > TimeSpan.Zero; left = delay - timeProvider.GetElapsedTime(started))
        {
            await Task.Delay(Chunk(left), timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private static TimeSpan Chunk(TimeSpan left) => left > MaxChunk ? MaxChunk : left;

    private void OnChunk()
    {
        lock (_gate)
        {
            var left = _dueTime - _timeProvider.GetElapsedTime(_started);
            if (left > TimeSpan.Zero)
            {
                _timer.Change(Chunk(left), Timeout.InfiniteTimeSpan);
                return;
            }
        }

        _callback(_state);
    }
}
