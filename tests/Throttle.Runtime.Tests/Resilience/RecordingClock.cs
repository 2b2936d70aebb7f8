using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Throttle.Tests.Resilience;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that records the due time of every timer created on it. A retry wait is a timer,
/// so its due time is the exact delay Polly chose; tests read it, then advance the clock by it.
/// </summary>
internal sealed class RecordingClock : FakeTimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _dueTimes = new();
    private readonly SemaphoreSlim _created = new(0);

    public RecordingClock()
        : base(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _dueTimes.Enqueue(dueTime);
        _created.Release();
        return timer;
    }

    /// <summary>The due time of the next timer, waiting (30 s failure guard) until one is created.</summary>
    public async Task<TimeSpan> NextTimerAsync()
    {
        Assert.True(await _created.WaitAsync(TimeSpan.FromSeconds(30)), "No timer was created (no retry wait started).");
        Assert.True(_dueTimes.TryDequeue(out var dueTime));
        return dueTime;
    }
}
