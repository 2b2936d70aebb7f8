using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Throttle.Resilience;
using Xunit;

namespace Throttle.Tests.Resilience;

/// <summary>Every state change of one breaker (threshold 3, break 10 s unless a test says otherwise), driven by a fake clock.</summary>
public sealed class CircuitBreakerTransitionTests
{
    private const string Id = "Ns.Type.Method()";
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private readonly FakeTimeProvider _clock = new();
    private readonly ThrottleRuntime _runtime;

    public CircuitBreakerTransitionTests() => _runtime = Calls.Runtime(_clock);

    private ResiliencePipeline Pipeline(int threshold = 3, Func<Exception, bool>? shouldHandle = null) =>
        _runtime.ResolvePipeline(Calls.Breaker(Id, threshold, Break.TotalSeconds, shouldHandle: shouldHandle));

    private CircuitBreakerHandle Breaker => _runtime.GetCircuitBreaker(Id);

    [Fact]
    public async Task Closed_OpensOnTheThresholdthConsecutiveFailure()
    {
        var pipeline = Pipeline();
        await Calls.FailAsync(pipeline, 2);
        Assert.Equal(CircuitState.Closed, Breaker.State);
        Assert.Equal(2, Breaker.ConsecutiveFailures);

        await Calls.FailAsync(pipeline, 1);
        Assert.Equal(CircuitState.Open, Breaker.State);
    }

    [Fact]
    public async Task Open_RejectsEveryCallWithoutRunningIt()
    {
        var pipeline = Pipeline();
        var last = new InvalidOperationException("third");
        await Calls.FailAsync(pipeline, 2);
        await Calls.FailAsync(pipeline, 1, last);

        var counter = new Counter();
        for (var i = 0; i < 3; i++)
        {
            var rejected = Assert.IsType<BrokenCircuitException>(await Calls.RunAsync(pipeline, null, counter));
            Assert.Equal(Break, rejected.RetryAfter);
            Assert.Same(last, rejected.InnerException);
        }

        Assert.Equal(0, counter.Count);
    }

    [Fact]
    public async Task Success_ResetsTheCount_SoInterleavedFailuresNeverOpen()
    {
        var pipeline = Pipeline();
        for (var i = 0; i < 5; i++)
        {
            await Calls.FailAsync(pipeline, 2);
            await Calls.SucceedAsync(pipeline);
            Assert.Equal(0, Breaker.ConsecutiveFailures);
        }

        Assert.Equal(CircuitState.Closed, Breaker.State);
        await Calls.FailAsync(pipeline, 3);
        Assert.Equal(CircuitState.Open, Breaker.State);
    }

    [Fact]
    public async Task ThresholdOne_OpensOnTheFirstFailure()
    {
        // Polly's own breaker needs a minimum throughput of 2 calls and cannot express this.
        var pipeline = Pipeline(threshold: 1);
        await Calls.FailAsync(pipeline, 1);
        Assert.Equal(CircuitState.Open, Breaker.State);
        Assert.IsType<BrokenCircuitException>(await Calls.RunAsync(pipeline, null));
    }

    [Fact]
    public async Task Open_BecomesHalfOpenExactlyAfterTheBreak()
    {
        var pipeline = Pipeline();
        await Calls.FailAsync(pipeline, 3);

        _clock.Advance(Break - Tick);
        Assert.Equal(CircuitState.Open, Breaker.State);
        var rejected = Assert.IsType<BrokenCircuitException>(await Calls.RunAsync(pipeline, null));
        Assert.Equal(Tick, rejected.RetryAfter);

        _clock.Advance(Tick);
        Assert.Equal(CircuitState.HalfOpen, Breaker.State);
    }

    [Fact]
    public async Task HalfOpen_SuccessCloses_AndTheCountStartsAgain()
    {
        var pipeline = Pipeline();
        await Calls.FailAsync(pipeline, 3);
        _clock.Advance(Break);

        await Calls.SucceedAsync(pipeline);
        Assert.Equal(CircuitState.Closed, Breaker.State);
        Assert.Null(Breaker.LastFailure);

        await Calls.FailAsync(pipeline, 2);
        Assert.Equal(CircuitState.Closed, Breaker.State);
        await Calls.FailAsync(pipeline, 1);
        Assert.Equal(CircuitState.Open, Breaker.State);
    }

    [Fact]
    public async Task HalfOpen_FailureOpensForAWholeNewBreak()
    {
        var pipeline = Pipeline();
        await Calls.FailAsync(pipeline, 3);
        _clock.Advance(Break);

        await Calls.FailAsync(pipeline, 1);
        Assert.Equal(CircuitState.Open, Breaker.State);
        _clock.Advance(Break - Tick);
        Assert.Equal(CircuitState.Open, Breaker.State);
        _clock.Advance(Tick);
        Assert.Equal(CircuitState.HalfOpen, Breaker.State);
    }

    [Fact]
    public async Task HalfOpen_LetsOneTrialThroughAtATime()
    {
        var pipeline = Pipeline();
        await Calls.FailAsync(pipeline, 3);
        _clock.Advance(Break);

        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var trial = pipeline.ExecuteAsync(async _ => await release.Task).AsTask();
        Assert.IsType<BrokenCircuitException>(await Calls.RunAsync(pipeline, null));

        release.SetResult();
        await trial.WaitAsync(Calls.Safety);
        Assert.Equal(CircuitState.Closed, Breaker.State);
        await Calls.SucceedAsync(pipeline);
    }

    [Fact]
    public async Task HalfOpen_ATrialStillRunningAfterAWholeBreak_NoLongerBlocksTheNext()
    {
        var pipeline = Pipeline();
        await Calls.FailAsync(pipeline, 3);
        _clock.Advance(Break);

        var hung = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var trial = pipeline.ExecuteAsync(async _ => await hung.Task).AsTask();
        _clock.Advance(Break);

        await Calls.SucceedAsync(pipeline);
        Assert.Equal(CircuitState.Closed, Breaker.State);
        hung.SetResult();
        await trial.WaitAsync(Calls.Safety);
    }

    [Fact]
    public async Task UnhandledExceptions_PassThroughWithoutCountingOrResetting()
    {
        var pipeline = Pipeline(shouldHandle: static e => e is IOException);
        var unhandled = new InvalidOperationException("not a failure");
        for (var i = 0; i < 10; i++)
        {
            Assert.Same(unhandled, await Calls.RunAsync(pipeline, unhandled));
        }

        Assert.Equal(CircuitState.Closed, Breaker.State);
        Assert.Equal(0, Breaker.ConsecutiveFailures);

        // Handled, unhandled, handled, handled: the unhandled one neither counts nor resets.
        await Calls.FailAsync(pipeline, 1, new IOException());
        await Calls.RunAsync(pipeline, unhandled);
        await Calls.FailAsync(pipeline, 1, new FileNotFoundException());
        Assert.Equal(CircuitState.Closed, Breaker.State);
        await Calls.FailAsync(pipeline, 1, new IOException());
        Assert.Equal(CircuitState.Open, Breaker.State);
    }

    [Fact]
    public async Task HalfOpen_AnUnhandledTrialFreesTheSlotAndStaysHalfOpen()
    {
        var pipeline = Pipeline(shouldHandle: static e => e is IOException);
        await Calls.FailAsync(pipeline, 3, new IOException());
        _clock.Advance(Break);

        await Calls.RunAsync(pipeline, new InvalidOperationException());
        Assert.Equal(CircuitState.HalfOpen, Breaker.State);
        await Calls.SucceedAsync(pipeline);
        Assert.Equal(CircuitState.Closed, Breaker.State);
    }

    [Fact]
    public async Task ByDefault_CancellationIsNotAFailure()
    {
        var pipeline = Pipeline(threshold: 1);
        var cancelled = new OperationCanceledException();
        Assert.Same(cancelled, await Calls.RunAsync(pipeline, cancelled));
        Assert.Equal(CircuitState.Closed, Breaker.State);

        await Calls.FailAsync(pipeline, 1);
        Assert.Equal(CircuitState.Open, Breaker.State);
    }

    [Fact]
    public void SynchronousExecution_FollowsTheSameTransitions()
    {
        var pipeline = Pipeline(threshold: 2);
        for (var i = 0; i < 2; i++)
        {
            Assert.Throws<InvalidOperationException>(() => pipeline.Execute(static () => throw new InvalidOperationException()));
        }

        var calls = 0;
        Assert.Throws<BrokenCircuitException>(() => pipeline.Execute(() => ++calls));
        Assert.Equal(0, calls);

        _clock.Advance(Break);
        Assert.Equal(1, pipeline.Execute(() => ++calls));
        Assert.Equal(CircuitState.Closed, Breaker.State);
    }

    [Fact]
    public async Task ACallAdmittedBeforeTheCircuitOpened_ChangesNothingWhenItEndsLate()
    {
        var pipeline = Pipeline(threshold: 2);
        var slow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var late = pipeline.ExecuteAsync(async _ => await slow.Task).AsTask();

        await Calls.FailAsync(pipeline, 2);
        slow.SetResult();
        await late.WaitAsync(Calls.Safety);
        Assert.Equal(CircuitState.Open, Breaker.State);
    }
}
