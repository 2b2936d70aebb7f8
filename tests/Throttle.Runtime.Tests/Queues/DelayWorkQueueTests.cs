using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Queues;
using Xunit;
using Throttle.Testing;

namespace Throttle.Tests.Queues;

public sealed class DelayWorkQueueTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public async Task ItemsRunAtTheirDueTime_InDueOrder_TiesInPutOrder()
    {
        var clock = new TestClock();
        var seen = new Recorder<string>();
        var queue = new DelayWorkQueue<string>(seen.Record, timeProvider: clock);
        await queue.PutAsync("30s", S(30));
        await queue.PutAsync("10s-a", S(10));
        await queue.PutAsync("20s", S(20));
        Assert.True(queue.TryPut("10s-b", S(10)));
        await queue.StartAsync();

        // The worker sleeps on a timer: nothing is due yet.
        Assert.True(clock.WaitForTimer());
        clock.Advance(S(9.999));
        Assert.False(seen.TryNext(out _));

        clock.Advance(S(0.001));
        Assert.Equal(new[] { "10s-a", "10s-b" }, await seen.NextAsync(2));
        clock.Advance(S(10));
        Assert.Equal(new[] { "20s" }, await seen.NextAsync(1));
        clock.Advance(S(10));
        Assert.Equal(new[] { "30s" }, await seen.NextAsync(1));
        Assert.Equal(0, queue.Count);
        await queue.StopAsync().Safe();
    }

    [Fact]
    public async Task A_clock_that_moves_on_while_the_timer_is_set_does_not_make_the_item_late()
    {
        var clock = new MovesWhileATimerIsSet(S(1));
        var seen = new Recorder<string>();
        var queue = new DelayWorkQueue<string>(seen.Record, timeProvider: clock);
        await queue.PutAsync("5s", S(5));
        await queue.StartAsync();
        Assert.True(await clock.TimerCreated.WaitAsync(TimeSpan.FromSeconds(30)));

        // The worker read 0 s, then the clock moved to 1 s before its 5 s timer was set: set as it was, it would fire at 6 s.
        clock.Advance(S(4));
        Assert.Equal(new[] { "5s" }, await seen.NextAsync(1));
        await queue.StopAsync().Safe();
    }

    /// <summary>A fake clock that moves on by a step just before a timer is first set to fire, as a preempted thread would see it.</summary>
    private sealed class MovesWhileATimerIsSet(TimeSpan step) : Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
        private int _moved;

        public SemaphoreSlim TimerCreated { get; } = new(0);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            MoveOnce(dueTime);
            var timer = new Timer(base.CreateTimer(callback, state, dueTime, period), this);
            TimerCreated.Release();
            return timer;
        }

        private void MoveOnce(TimeSpan dueTime)
        {
            if (dueTime != Timeout.InfiniteTimeSpan && Interlocked.Exchange(ref _moved, 1) == 0)
            {
                Advance(step);
            }
        }

        private sealed class Timer(ITimer inner, MovesWhileATimerIsSet clock) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                clock.MoveOnce(dueTime);
                return inner.Change(dueTime, period);
            }

            public void Dispose() => inner.Dispose();

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }

    [Fact]
    public async Task AnEarlierItemPutWhileTheWorkerSleeps_WakesIt()
    {
        var clock = new TestClock();
        var seen = new Recorder<string>();
        var queue = new DelayWorkQueue<string>(seen.Record, timeProvider: clock);
        await queue.StartAsync();
        await queue.PutAsync("late", S(60));
        Assert.True(clock.WaitForTimer());

        await queue.PutAsync("soon", S(5));
        clock.Advance(S(5));

        Assert.Equal(new[] { "soon" }, await seen.NextAsync(1));
        clock.Advance(S(55));
        Assert.Equal(new[] { "late" }, await seen.NextAsync(1));
        await queue.StopAsync().Safe();
    }

    [Fact]
    public async Task ZeroDelay_RunsWithoutWaiting()
    {
        var clock = new TestClock();
        var seen = new Recorder<int>();
        var queue = new DelayWorkQueue<int>(seen.Record, timeProvider: clock);
        await queue.StartAsync();

        await queue.PutAsync(1, TimeSpan.Zero);

        Assert.Equal(new[] { 1 }, await seen.NextAsync(1));
        await queue.StopAsync().Safe();
    }

    [Fact]
    public async Task HandBack_ReturnsItemsNotYetDue()
    {
        var clock = new TestClock();
        var queue = new DelayWorkQueue<int>((_, _) => default, timeProvider: clock);
        await queue.StartAsync();
        await queue.PutAsync(2, S(20));
        await queue.PutAsync(1, S(10));

        Assert.Equal(new[] { 1, 2 }, await queue.StopAsync(QueueStopMode.HandBack).Safe());
    }

    public static TheoryData<TimeSpan> BadDelays => new() { TimeSpan.FromTicks(-1), Timeout.InfiniteTimeSpan, TimeSpan.MaxValue, TimeSpan.MinValue };

    [Theory]
    [MemberData(nameof(BadDelays))]
    public void BadDelay_Throws(TimeSpan delay)
    {
        var queue = new DelayWorkQueue<int>((_, _) => default);
        Assert.Equal("delay", Assert.Throws<ArgumentOutOfRangeException>(() => queue.TryPut(1, delay)).ParamName);
        Assert.Equal("delay", Assert.Throws<ArgumentOutOfRangeException>(() => queue.PutAsync(1, delay)).ParamName);
    }

    [Fact]
    public void BadArguments_NameTheParameter()
    {
        Assert.Equal("handler", Assert.Throws<ArgumentNullException>(() => new DelayWorkQueue<int>(null!)).ParamName);
        Assert.Equal("workers", Assert.Throws<ArgumentOutOfRangeException>(() => new DelayWorkQueue<int>((_, _) => default, workers: 0)).ParamName);
        Assert.Equal("maxSize", Assert.Throws<ArgumentOutOfRangeException>(() => new DelayWorkQueue<int>((_, _) => default, maxSize: 0)).ParamName);
        Assert.Equal("item", Assert.Throws<ArgumentNullException>(() => new DelayWorkQueue<string>((_, _) => default).TryPut(null!, TimeSpan.Zero)).ParamName);
    }
}
