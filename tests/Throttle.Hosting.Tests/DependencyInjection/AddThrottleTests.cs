using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Throttle.Limiters;
using Throttle.Queues;
using Throttle.Storage;
using Xunit;

namespace Throttle.Hosting.Tests.DependencyInjection;

/// <summary>One runtime per container, on the container's services, owned and disposed by it.</summary>
public sealed class AddThrottleTests
{
    private static readonly Dictionary<string, string?> s_oneLimiter = new() { ["Throttle:Limiters:api:Rate"] = "1", ["Throttle:Limiters:api:Per"] = "3600" };

    [Fact]
    public void A_container_has_exactly_one_runtime_and_AddThrottle_twice_adds_to_it()
    {
        using var host = TestHosts.Build(s_oneLimiter, t => t.Services.AddThrottle(more => more.AddQueue("imports")));

        var runtime = host.Services.GetRequiredService<ThrottleRuntime>();

        Assert.Same(runtime, host.Services.GetRequiredService<ThrottleRuntime>());
        Assert.Single(host.Services.GetServices<ThrottleRuntime>());
        Assert.True(runtime.TryGetLimiter("api", out _));
        Assert.True(runtime.TryGetQueue("imports", out _));
        Assert.NotSame(ThrottleRuntime.Current, runtime); // the host's runtime is not made process-wide
    }

    [Fact]
    public async Task Two_containers_never_share_limiter_queue_or_breaker_state()
    {
        Action<ThrottleBuilder> resources = t => t.AddQueue("imports").AddCircuitBreaker("upstream", o => o.FailureThreshold = 1);
        using var first = TestHosts.Build(s_oneLimiter, resources);
        using var second = TestHosts.Build(s_oneLimiter, resources);
        var a = first.Services.GetRequiredService<ThrottleRuntime>();
        var b = second.Services.GetRequiredService<ThrottleRuntime>();

        Assert.NotSame(a, b);
        Assert.NotSame(a.Storage, b.Storage);
        Assert.True(await a.GetLimiter("api").TryAcquireAsync("user-1"));
        Assert.False(await a.GetLimiter("api").TryAcquireAsync("user-1")); // one permit an hour, spent
        Assert.True(await b.GetLimiter("api").TryAcquireAsync("user-1"));  // the other host's is untouched

        await a.GetCircuitBreaker("upstream").IsolateAsync();
        Assert.Equal(Polly.CircuitBreaker.CircuitState.Isolated, a.GetCircuitBreaker("upstream").State);
        Assert.Equal(Polly.CircuitBreaker.CircuitState.Closed, b.GetCircuitBreaker("upstream").State);
        Assert.NotSame(a.GetQueue("imports"), b.GetQueue("imports"));
    }

    [Fact]
    public void The_runtime_runs_on_the_containers_TimeProvider()
    {
        var clock = new FakeTimeProvider();
        using var host = TestHosts.Build(s_oneLimiter, services: s => s.AddSingleton<TimeProvider>(clock));

        var runtime = host.Services.GetRequiredService<ThrottleRuntime>();

        Assert.Same(clock, runtime.TimeProvider);
        Assert.Same(clock, runtime.Storage.TimeProvider);
        Assert.Same(clock, runtime.GetLimiter("api").TimeProvider);
    }

    [Fact]
    public void Without_a_TimeProvider_in_the_container_the_runtime_uses_the_system_clock()
    {
        using var host = TestHosts.Build();

        Assert.Same(TimeProvider.System, host.Services.GetRequiredService<ThrottleRuntime>().TimeProvider);
    }

    [Fact]
    public async Task Limiters_built_in_code_are_registered_with_their_settings_and_factories_run_on_the_runtime()
    {
        ThrottleRuntime? seen = null;
        using var host = TestHosts.Build(configure: t => t
            .AddLimiter("api", o =>
            {
                o.Rate = 50;
                o.Per = 10;
            })
            .AddLimiter("custom", (_, runtime) =>
            {
                seen = runtime;
                return new SlidingWindowLimiter(3, 1, runtime.Storage, "custom");
            })
            .AddSemaphore("licences", o => o.Value = 2)
            .AddCircuitBreaker("upstream"));
        await host.StartAsync();
        var runtime = host.Services.GetRequiredService<ThrottleRuntime>();

        var api = Assert.IsType<TokenBucketLimiter>(runtime.GetLimiter("api"));
        Assert.Equal((50.0, 10.0), (api.Rate, api.Per));
        Assert.Same(runtime, seen);
        Assert.IsType<SlidingWindowLimiter>(runtime.GetLimiter("custom"));
        Assert.True(runtime.TryGetSemaphore("licences", out var licences));
        Assert.Equal(2, licences.Value);
        Assert.True(runtime.TryGetCircuitBreaker("upstream", out _));
        await host.StopAsync();
    }

    [Fact]
    public async Task Disposing_the_host_disposes_the_runtime_and_its_storage()
    {
        var host = TestHosts.Build(new Dictionary<string, string?> { ["Throttle:Queues:imports:Workers"] = "1" });
        await host.StartAsync();
        var runtime = host.Services.GetRequiredService<ThrottleRuntime>();
        var queue = runtime.GetQueue("imports");
        Assert.Equal(WorkQueueState.Running, queue.State); // started with the host, before any call
        Assert.IsType<MemoryStorage>(runtime.Storage);

        host.Dispose(); // without StopAsync: disposal still stops the queues

        Assert.Equal(WorkQueueState.Stopped, queue.State);
        await Assert.ThrowsAsync<QueueStoppedException>(() => queue.EnqueueAsync(0, static (_, _) => ValueTask.CompletedTask, 0, default));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => runtime.StartAsync());
    }
}
