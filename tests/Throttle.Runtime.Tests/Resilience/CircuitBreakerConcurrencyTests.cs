using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Xunit;

namespace Throttle.Tests.Resilience;

/// <summary>Concurrent calls on one breaker: no failure is lost and the circuit opens once the threshold is reached.</summary>
public sealed class CircuitBreakerConcurrencyTests
{
    [Fact]
    public async Task ParallelFailures_AreAllCounted()
    {
        var runtime = Calls.Runtime(new FakeTimeProvider());
        var pipeline = runtime.ResolvePipeline(Calls.Breaker(threshold: 2_000));
        var breaker = runtime.GetCircuitBreaker("Ns.Type.Method()");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Calls.FailAsync(pipeline, 249))));
        Assert.Equal(1_992, breaker.ConsecutiveFailures);
        Assert.Equal(CircuitState.Closed, breaker.State);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Calls.FailAsync(pipeline, 1))));
        Assert.Equal(CircuitState.Open, breaker.State);
    }
}
