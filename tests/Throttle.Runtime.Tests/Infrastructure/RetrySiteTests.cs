using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.CircuitBreaker;
using Throttle.Infrastructure;
using Throttle.Policies;
using Throttle.Tests.Resilience;
using Xunit;

namespace Throttle.Tests.Infrastructure;

/// <summary>The <c>[Retry]</c> pipeline of a site: attempt counts, the exact delays, jitter bounds, filtering and cancellation.</summary>
public sealed class RetrySiteTests
{
    private readonly RecordingClock _clock = new();
    private readonly ThrottleRuntime _runtime;

    public RetrySiteTests() => _runtime = Calls.Runtime(_clock);

    private static ResilienceSite Site(
        int maxRetries = 3, double baseDelay = 1, double maxDelay = 60, double exponentialBase = 2, bool jitter = false, Func<Exception, bool>? shouldHandle = null) =>
        new("Ns.Type.Retried()", null, new RetryOptions
        {
            MaxRetries = maxRetries, BaseDelaySeconds = baseDelay, MaxDelaySeconds = maxDelay, ExponentialBase = exponentialBase, Jitter = jitter, ShouldHandle = shouldHandle,
        });

    /// <summary>Starts a call that fails <paramref name="failures"/> times with <paramref name="exception"/>, then returns 42.</summary>
    private static Task<int> Start(ResiliencePipeline pipeline, Counter counter, int failures, Func<Exception>? exception = null, CancellationToken cancellationToken = default) =>
        pipeline.ExecuteAsync(
            (_) =>
            {
                counter.Increment();
                return counter.Count <= failures ? ValueTask.FromException<int>(exception?.Invoke() ?? new IOException("transient")) : new ValueTask<int>(42);
            },
            cancellationToken).AsTask();

    /// <summary>Lets each retry wait run out, returning the delays the pipeline chose.</summary>
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
    public async Task WithoutJitter_DelaysAreExactlyMinOfBaseTimesPowerAndMax()
    {
        var pipeline = _runtime.ResolvePipeline(Site(maxRetries: 5, baseDelay: 0.5, maxDelay: 3, exponentialBase: 3));
        var counter = new Counter();
        var call = Start(pipeline, counter, failures: 5);

        var delays = await DriveWaitsAsync(counter, 5);
        Assert.Equal(42, await call.WaitAsync(Calls.Safety));
        Assert.Equal(new[] { 0.5, 1.5, 3, 3, 3 }, delays.ConvertAll(d => d.TotalSeconds));
        Assert.Equal(6, counter.Count);
    }

    [Fact]
    public async Task AfterMaxRetries_TheLastFailurePropagates()
    {
        var pipeline = _runtime.ResolvePipeline(Site(maxRetries: 2));
        var counter = new Counter();
        var attempt = 0;
        var call = Start(pipeline, counter, failures: int.MaxValue, () => new IOException($"attempt {++attempt}"));

        await DriveWaitsAsync(counter, 2);
        var error = await Assert.ThrowsAsync<IOException>(() => call.WaitAsync(Calls.Safety));
        Assert.Equal("attempt 3", error.Message);
        Assert.Equal(3, counter.Count);
    }

    [Fact]
    public async Task WithJitter_EachDelayLiesWithinZeroAndTheNominalDelay()
    {
        // Task.Delay waits whole milliseconds and skips the timer for a wait under 1 ms; a base of an hour makes such a
        // draw (and so a wait this loop cannot see) vanishingly unlikely.
        var pipeline = _runtime.ResolvePipeline(Site(maxRetries: 8, baseDelay: 3600, maxDelay: 72000, jitter: true));
        var counter = new Counter();
        var call = Start(pipeline, counter, failures: 8);

        var delays = await DriveWaitsAsync(counter, 8);
        await call.WaitAsync(Calls.Safety);
        for (var attempt = 0; attempt < delays.Count; attempt++)
        {
            var nominal = Math.Min(3600 * Math.Pow(2, attempt), 72000);
            Assert.InRange(delays[attempt].TotalSeconds, 0, nominal);
        }

        // Eight draws that all land on the nominal delay would mean the jitter is not applied.
        var belowNominal = 0;
        for (var attempt = 0; attempt < delays.Count; attempt++)
        {
            belowNominal += delays[attempt].TotalSeconds < Math.Min(3600 * Math.Pow(2, attempt), 72000) ? 1 : 0;
        }

        Assert.True(belowNominal > 0);
    }

    [Fact]
    public async Task WithJitter_TheDelayIsTheRandomFractionOfTheNominalDelay()
    {
        var draws = new Queue<double>(new[] { 0.25, 0.75, 0.5 });
        var pipeline = _runtime.CreatePipeline(Site(maxRetries: 3, baseDelay: 2, jitter: true), () => draws.Dequeue());
        var counter = new Counter();
        var call = Start(pipeline, counter, failures: 3);

        var delays = await DriveWaitsAsync(counter, 3);
        await call.WaitAsync(Calls.Safety);
        Assert.Equal(new[] { TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4) }, delays);
    }

    [Fact]
    public async Task SynchronousExecution_WaitsOnTheRuntimesClockToo()
    {
        var pipeline = _runtime.ResolvePipeline(Site(maxRetries: 2, baseDelay: 2));
        var counter = new Counter();

        // Execute blocks its thread during the wait, so it runs on another one while this test drives the clock.
        var call = Task.Run(() => pipeline.Execute(() =>
        {
            counter.Increment();
            return counter.Count <= 2 ? throw new IOException("transient") : 42;
        }));

        var delays = await DriveWaitsAsync(counter, 2);
        Assert.Equal(42, await call.WaitAsync(Calls.Safety));
        Assert.Equal(new[] { TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4) }, delays);
    }

    [Fact]
    public async Task OnlyHandledExceptionsAreRetried()
    {
        var pipeline = _runtime.ResolvePipeline(Site(shouldHandle: static e => e is IOException));
        var counter = new Counter();
        await Assert.ThrowsAsync<InvalidOperationException>(() => Start(pipeline, counter, failures: 3, () => new InvalidOperationException()));
        Assert.Equal(1, counter.Count);

        // A subclass of a handled type is retried.
        counter = new Counter();
        var call = Start(pipeline, counter, failures: 1, () => new FileNotFoundException());
        await DriveWaitsAsync(counter, 1);
        Assert.Equal(42, await call.WaitAsync(Calls.Safety));
    }

    [Fact]
    public async Task ByDefault_CancellationIsNotRetried()
    {
        var pipeline = _runtime.ResolvePipeline(Site());
        var counter = new Counter();
        await Assert.ThrowsAsync<OperationCanceledException>(() => Start(pipeline, counter, failures: 3, () => new OperationCanceledException()));
        Assert.Equal(1, counter.Count);
    }

    [Fact]
    public async Task ZeroRetries_MakesOneAttempt()
    {
        var pipeline = _runtime.ResolvePipeline(Site(maxRetries: 0));
        var counter = new Counter();
        await Assert.ThrowsAsync<IOException>(() => Start(pipeline, counter, failures: 1));
        Assert.Equal(1, counter.Count);
    }

    [Fact]
    public async Task CancellingDuringAWait_EndsTheCallAtOnce()
    {
        var pipeline = _runtime.ResolvePipeline(Site(baseDelay: 3600));
        var counter = new Counter();
        using var cts = new CancellationTokenSource();
        var call = Start(pipeline, counter, failures: 3, cancellationToken: cts.Token);
        await counter.WaitAsync();
        await _clock.NextTimerAsync();

        // No clock advance: the wait ends because of the token alone.
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Calls.Safety));
        Assert.Equal(1, counter.Count);
    }

    [Fact]
    public async Task WithABreaker_ACallThatFailsAllItsRetriesCountsOnce_AndAnOpenCircuitMakesNoAttempt()
    {
        var site = new ResilienceSite(
            "Ns.Type.Both()",
            new CircuitBreakerOptions { FailureThreshold = 2, BreakSeconds = 30 },
            new RetryOptions { MaxRetries = 2, BaseDelaySeconds = 1, Jitter = false });
        var pipeline = _runtime.ResolvePipeline(site);
        var breaker = _runtime.GetCircuitBreaker(site.Id);

        var counter = new Counter();
        var call = Start(pipeline, counter, failures: int.MaxValue);
        await DriveWaitsAsync(counter, 2);
        await Assert.ThrowsAsync<IOException>(() => call.WaitAsync(Calls.Safety));
        Assert.Equal(3, counter.Count);
        Assert.Equal(1, breaker.ConsecutiveFailures);
        Assert.Equal(CircuitState.Closed, breaker.State);

        counter = new Counter();
        call = Start(pipeline, counter, failures: int.MaxValue);
        await DriveWaitsAsync(counter, 2);
        await Assert.ThrowsAsync<IOException>(() => call.WaitAsync(Calls.Safety));
        Assert.Equal(CircuitState.Open, breaker.State);

        counter = new Counter();
        await Assert.ThrowsAsync<BrokenCircuitException>(() => Start(pipeline, counter, failures: 0));
        Assert.Equal(0, counter.Count);
    }
}
