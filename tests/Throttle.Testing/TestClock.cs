using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;

namespace Throttle.Testing;

/// <summary>A <see cref="FakeTimeProvider"/> that counts the timers created on it, so a test can tell a waiter has started waiting.</summary>
public sealed class TestClock : FakeTimeProvider
{
    private readonly SemaphoreSlim _timerCreated = new(0);
    private int _timersCreated;

    public TestClock()
        : base(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public int TimersCreated => Volatile.Read(ref _timersCreated);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timersCreated);
        _timerCreated.Release();
        return timer;
    }

    /// <summary>Waits (bounded by a generous safety timeout, never asserted on) until a timer is created.</summary>
    public bool WaitForTimer(TimeSpan? safetyTimeout = null) =>
        _timerCreated.Wait(safetyTimeout ?? TimeSpan.FromSeconds(30));

    /// <summary>
    /// Waits, without blocking a thread, until a timer is created that no earlier wait has consumed: the moment a
    /// wait in the code under test has registered, so advancing the clock now cannot land before it.
    /// </summary>
    /// <param name="safetyTimeout">A guard against a hang, not a timing assertion; 30 s when null.</param>
    /// <returns><see langword="true"/> when a timer was created in time.</returns>
    public Task<bool> WaitForTimerAsync(TimeSpan? safetyTimeout = null) =>
        _timerCreated.WaitAsync(safetyTimeout ?? TimeSpan.FromSeconds(30));
}
