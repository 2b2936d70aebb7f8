using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Throttle.Limiters;
using Throttle.Policies;
using Throttle.Queues;
using Xunit;

namespace Throttle.Hosting.Tests.Configuration;

/// <summary>The "Throttle" section builds the runtime's named resources with the values given and the option types' defaults.</summary>
public sealed class ConfigurationBindingTests
{
    [Fact]
    public async Task Limiters_breakers_queues_and_semaphores_are_built_from_the_section()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?>
        {
            ["Throttle:Limiters:api:Rate"] = "100",
            ["Throttle:Limiters:api:Per"] = "60",
            ["Throttle:Limiters:api:Burst"] = "20",
            ["Throttle:Limiters:search:Strategy"] = "slidingwindow",
            ["Throttle:Limiters:search:Rate"] = "5",
            ["Throttle:Limiters:drip:Strategy"] = "LeakyBucket",
            ["Throttle:Limiters:drip:Rate"] = "2",
            ["Throttle:CircuitBreakers:upstream:FailureThreshold"] = "3",
            ["Throttle:CircuitBreakers:upstream:BreakSeconds"] = "7.5",
            ["Throttle:Queues:imports:Workers"] = "4",
            ["Throttle:Queues:imports:MaxSize"] = "50",
            ["Throttle:Semaphores:licences:Value"] = "3",
            ["Throttle:Semaphores:licences:LeaseSeconds"] = "10",
        });
        await host.StartAsync();
        var runtime = host.Services.GetRequiredService<ThrottleRuntime>();

        var api = Assert.IsType<TokenBucketLimiter>(runtime.GetLimiter("api"));
        Assert.Equal((100.0, 60.0, 20.0), (api.Rate, api.Per, api.Burst));
        Assert.Equal("api", api.Scope); // a registered limiter's state lives under its name unless Scope says otherwise
        Assert.IsType<SlidingWindowLimiter>(runtime.GetLimiter("search"));
        Assert.IsType<LeakyBucketLimiter>(runtime.GetLimiter("drip"));

        var breaker = runtime.GetCircuitBreaker("upstream");
        Assert.Equal(3, breaker.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(7.5), breaker.BreakDuration);

        var queue = runtime.GetQueue("imports");
        Assert.Equal((4, 50), (queue.Workers, queue.MaxSize));

        Assert.True(runtime.TryGetSemaphore("licences", out var semaphore));
        Assert.Equal(3, semaphore.Value);
        await host.StopAsync();
    }

    [Fact]
    public async Task Unset_values_take_the_option_types_defaults()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?>
        {
            ["Throttle:Limiters:api:Rate"] = "10",
            ["Throttle:Queues:imports:Workers"] = "2",
            ["Throttle:CircuitBreakers:upstream:FailureThreshold"] = "2",
        });
        await host.StartAsync();
        var runtime = host.Services.GetRequiredService<ThrottleRuntime>();

        var api = Assert.IsType<TokenBucketLimiter>(runtime.GetLimiter("api"));
        Assert.Equal(RateLimitOptions.DefaultPer, api.Per);
        Assert.Equal(10.0, api.Burst); // Burst "equal to the rate"
        Assert.Equal(QueuedOptions.DefaultMaxSize, runtime.GetQueue("imports").MaxSize);
        Assert.Equal(TimeSpan.FromSeconds(CircuitBreakerOptions.DefaultBreakSeconds), runtime.GetCircuitBreaker("upstream").BreakDuration);
        await host.StopAsync();
    }

    [Fact]
    public async Task Shutdown_mode_HandBack_from_configuration_fails_waiting_calls_at_once()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?>
        {
            ["Throttle:Queues:imports:Workers"] = "1",
            ["Throttle:Shutdown:Mode"] = "HandBack",
        });
        await host.StartAsync();
        var queue = host.Services.GetRequiredService<ThrottleRuntime>().GetQueue("imports");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = queue.EnqueueAsync(0, async (_, _) =>
        {
            started.SetResult();
            await release.Task;
        }, 0, default);
        await started.Task;
        var waiting = queue.EnqueueAsync(0, static (_, _) => ValueTask.CompletedTask, 0, default);

        var stopping = host.StopAsync();

        await Assert.ThrowsAsync<QueueStoppedException>(() => waiting); // while the running call still runs
        Assert.False(running.IsCompleted);
        release.SetResult();
        await running;
        await stopping;
    }
}
