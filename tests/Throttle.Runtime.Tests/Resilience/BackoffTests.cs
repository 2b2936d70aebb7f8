using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Resilience;
using Xunit;

namespace Throttle.Tests.Resilience;

/// <summary>The <see cref="Backoff"/> utility: results, attempt counts, the spec's delays, exception filtering and cancellation.</summary>
public sealed class BackoffTests
{
    private readonly RecordingClock _clock = new();

    /// <summary>A function that fails <paramref name="failures"/> times, then returns 42.</summary>
    private static Func<CancellationToken, Task<int>> Flaky(Counter counter, int failures, Func<Exception>? exception = null) =>
        _ =>
        {
            counter.Increment();
            return counter.Count <= failures ? Task.FromException<int>(exception?.Invoke() ?? new IOException("transient")) : Task.FromResult(42);
        };

    private async Task<List<TimeSpan>> DriveWaitsAsync(Counter counter, int waits)
    {
        var delays = new List<TimeSpan>();
        await counter.WaitAsync();
        for (var i = 0; i < waits; i++)
        {
            var delay = await _clock.NextTimerAsync();
            delays.Add(delay);
            _clock.Advance(delay);
            await counter.WaitAsync();
        }

        return delays;
    }

    [Fact]
    public async Task ReturnsTheFirstSuccess_AfterTheSpecsDelays()
    {
        var counter = new Counter();
        var call = Backoff.ExecuteAsync(
            Flaky(counter, 4), maxRetries: 5, baseDelay: TimeSpan.FromSeconds(1), maxDelay: TimeSpan.FromSeconds(5), jitter: false, timeProvider: _clock);

        var delays = await DriveWaitsAsync(counter, 4);
        Assert.Equal(42, await call.WaitAsync(Calls.Safety));
        Assert.Equal(new[] { 1.0, 2, 4, 5 }, delays.ConvertAll(d => d.TotalSeconds));
    }

    [Fact]
    public async Task GivesUpAfterMaxRetries_WithTheLastFailure()
    {
        var counter = new Counter();
        var attempt = 0;
        var call = Backoff.ExecuteAsync(
            Flaky(counter, int.MaxValue, () => new IOException($"attempt {++attempt}")), maxRetries: 3, baseDelay: TimeSpan.FromMilliseconds(10), jitter: false, timeProvider: _clock);

        await DriveWaitsAsync(counter, 3);
        var error = await Assert.ThrowsAsync<IOException>(() => call.WaitAsync(Calls.Safety));
        Assert.Equal("attempt 4", error.Message);
        Assert.Equal(4, counter.Count);
    }

    [Fact]
    public async Task DefaultJitter_KeepsEachDelayWithinItsBound()
    {
        var counter = new Counter();
        // Task.Delay waits whole milliseconds and skips the timer for a wait under 1 ms; delays of hours make such a draw
        // (and so a wait this loop cannot see) vanishingly unlikely.
        var call = Backoff.ExecuteAsync(Flaky(counter, 6), maxRetries: 6, baseDelay: TimeSpan.FromHours(1), maxDelay: TimeSpan.FromHours(20), timeProvider: _clock);

        var delays = await DriveWaitsAsync(counter, 6);
        await call.WaitAsync(Calls.Safety);
        for (var attempt = 0; attempt < delays.Count; attempt++)
        {
            Assert.InRange(delays[attempt].TotalHours, 0, Math.Min(Math.Pow(2, attempt), 20));
        }
    }

    [Fact]
    public async Task Jitter_ScalesTheNominalDelayByTheRandomDraw()
    {
        var draws = new Queue<double>(new[] { 0.5, 0.125 });
        var policy = Backoff.Policy(2, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(60), 2, jitter: true, shouldRetry: null);
        var counter = new Counter();
        var call = Backoff.RunAsync(Flaky(counter, 2), policy, _clock, () => draws.Dequeue(), CancellationToken.None);

        var delays = await DriveWaitsAsync(counter, 2);
        await call.WaitAsync(Calls.Safety);
        Assert.Equal(new[] { TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1) }, delays);
    }

    [Fact]
    public async Task OnlyTheListedExceptionTypesAndTheirSubclassesAreRetried()
    {
        var counter = new Counter();
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Backoff.ExecuteAsync(Flaky(counter, 3, () => new InvalidOperationException()), exceptions: new[] { typeof(IOException) }, timeProvider: _clock));
        Assert.Equal(1, counter.Count);

        counter = new Counter();
        var call = Backoff.ExecuteAsync(Flaky(counter, 1, () => new FileNotFoundException()), exceptions: new[] { typeof(IOException) }, jitter: false, timeProvider: _clock);
        await DriveWaitsAsync(counter, 1);
        Assert.Equal(42, await call.WaitAsync(Calls.Safety));
    }

    [Fact]
    public async Task AnEmptyExceptionList_RetriesNothing()
    {
        var counter = new Counter();
        await Assert.ThrowsAsync<IOException>(() => Backoff.ExecuteAsync(Flaky(counter, 1), exceptions: Array.Empty<Type>(), timeProvider: _clock));
        Assert.Equal(1, counter.Count);
    }

    [Fact]
    public async Task APredicate_DecidesWhatIsRetried()
    {
        var counter = new Counter();
        var call = Backoff.ExecuteAsync(Flaky(counter, 1, () => new IOException("retry me")), e => e.Message == "retry me", jitter: false, timeProvider: _clock);
        await DriveWaitsAsync(counter, 1);
        Assert.Equal(42, await call.WaitAsync(Calls.Safety));

        counter = new Counter();
        await Assert.ThrowsAsync<IOException>(() => Backoff.ExecuteAsync(Flaky(counter, 1, () => new IOException("no")), e => e.Message == "retry me", timeProvider: _clock));
        Assert.Equal(1, counter.Count);
    }

    [Fact]
    public async Task TheNonGenericOverloads_RetryToo()
    {
        var counter = new Counter();
        var flaky = Flaky(counter, 1);
        var call = Backoff.ExecuteAsync((CancellationToken ct) => (Task)flaky(ct), maxRetries: 1, jitter: false, timeProvider: _clock);
        await DriveWaitsAsync(counter, 1);
        await call.WaitAsync(Calls.Safety);

        counter = new Counter();
        flaky = Flaky(counter, 1);
        call = Backoff.ExecuteAsync((CancellationToken ct) => (Task)flaky(ct), static e => e is IOException, maxRetries: 1, jitter: false, timeProvider: _clock);
        await DriveWaitsAsync(counter, 1);
        await call.WaitAsync(Calls.Safety);
        Assert.Equal(2, counter.Count);
    }

    [Fact]
    public async Task CancellingDuringAWait_EndsTheCallAtOnce()
    {
        var counter = new Counter();
        using var cts = new CancellationTokenSource();
        var call = Backoff.ExecuteAsync(Flaky(counter, 3), baseDelay: TimeSpan.FromHours(1), jitter: false, timeProvider: _clock, cancellationToken: cts.Token);
        await counter.WaitAsync();
        await _clock.NextTimerAsync();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Calls.Safety));
        Assert.Equal(1, counter.Count);
    }

    [Fact]
    public async Task TheFunctionReceivesTheCallersToken()
    {
        using var cts = new CancellationTokenSource();
        CancellationToken seen = default;
        await Backoff.ExecuteAsync(ct => { seen = ct; return Task.FromResult(1); }, cancellationToken: cts.Token);
        Assert.True(seen.CanBeCanceled);
        await cts.CancelAsync();
        Assert.True(seen.IsCancellationRequested);
    }
}
