using System;
using System.Threading.Tasks;
using Throttle.Infrastructure;
using Throttle.Limiters;
using Throttle.Policies;
using Throttle.Queues;
using Xunit;

namespace Throttle.Tests;

/// <summary>Named limiters, breakers and semaphores registered from settings, and the runtime's life cycle.</summary>
public sealed class ThrottleRuntimeRegistrationTests
{
    [Fact]
    public void A_registered_breaker_refuses_a_method_that_asks_for_other_settings_naming_both()
    {
        var runtime = new ThrottleRuntime();
        runtime.RegisterCircuitBreaker("upstream", new CircuitBreakerOptions { FailureThreshold = 3 });
        var site = new ResilienceSite("Shop.Client.CallAsync", new CircuitBreakerOptions { Name = "upstream", FailureThreshold = 5 }, null);

        var error = Assert.Throws<InvalidOperationException>(() => runtime.ResolvePipeline(site));

        Assert.Contains("the circuit breaker 'upstream' registered on the runtime uses it with FailureThreshold = 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("Shop.Client.CallAsync asks for FailureThreshold = 5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_method_asking_for_the_registered_settings_shares_the_breaker()
    {
        var runtime = new ThrottleRuntime();
        var registered = runtime.RegisterCircuitBreaker("upstream", new CircuitBreakerOptions { FailureThreshold = 3, BreakSeconds = 10 });

        runtime.ResolvePipeline(new ResilienceSite("Shop.Client.CallAsync", new CircuitBreakerOptions { Name = "upstream", FailureThreshold = 3, BreakSeconds = 10 }, null));

        Assert.Same(registered, Assert.Single(runtime.CircuitBreakers));
        Assert.Throws<ArgumentException>(() => runtime.RegisterCircuitBreaker("upstream", new CircuitBreakerOptions()));
    }

    [Fact]
    public void Options_that_belong_to_a_method_are_refused_on_registered_resources()
    {
        var runtime = new ThrottleRuntime();

        Assert.Equal("MaxWaitSeconds", Assert.ThrowsAny<ArgumentException>(() => runtime.RegisterLimiter("api", new RateLimitOptions { Rate = 1, MaxWaitSeconds = 1 })).ParamName);
        Assert.Equal("Limiter", Assert.ThrowsAny<ArgumentException>(() => runtime.RegisterLimiter("api", new RateLimitOptions { Limiter = "other" })).ParamName);
        Assert.Equal("ShouldHandle", Assert.ThrowsAny<ArgumentException>(() => runtime.RegisterCircuitBreaker("b", new CircuitBreakerOptions { ShouldHandle = static _ => true })).ParamName);
        Assert.Equal("AcquireTimeoutSeconds", Assert.ThrowsAny<ArgumentException>(() => runtime.RegisterSemaphore(new DistributedSemaphoreOptions { Key = "k", Value = 1, AcquireTimeoutSeconds = 1 })).ParamName);
        Assert.False(runtime.TryGetLimiter("api", out _));
    }

    [Fact]
    public async Task A_limiter_registered_from_settings_runs_on_the_runtimes_storage_under_its_name()
    {
        var runtime = new ThrottleRuntime();

        var limiter = Assert.IsType<SlidingWindowLimiter>(runtime.RegisterLimiter("api", new RateLimitOptions { Rate = 1, Per = 60, Strategy = RateLimitStrategy.SlidingWindow }));

        Assert.Same(limiter, runtime.GetLimiter("api"));
        Assert.Equal("api", limiter.Scope);
        Assert.True(await limiter.TryAcquireAsync("k"));
        Assert.False(await limiter.TryAcquireAsync("k"));
    }

    [Fact]
    public async Task StartAsync_starts_registered_queues_and_disposal_stops_them_and_is_idempotent()
    {
        var runtime = new ThrottleRuntime();
        var queue = new InvocationQueue(1, 10, runtime.TimeProvider);
        runtime.RegisterQueue("imports", queue);

        await runtime.StartAsync();
        Assert.Equal(WorkQueueState.Running, queue.State);

        await runtime.DisposeAsync();
        await runtime.DisposeAsync();
        runtime.Dispose();

        Assert.Equal(WorkQueueState.Stopped, queue.State);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => runtime.StartAsync());
    }
}
