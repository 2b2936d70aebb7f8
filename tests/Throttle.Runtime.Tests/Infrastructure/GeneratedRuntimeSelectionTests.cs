using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Polly.CircuitBreaker;
using Throttle.Infrastructure;
using Throttle.Limiters;
using Throttle.Testing;
using Throttle.Tests.Queues;
using Xunit;

namespace Throttle.Tests.Infrastructure;

/// <summary>
/// Generated methods run on the runtime their object holds (GeneratedServices.cs): two runtimes in one process,
/// one instance of a generated class on each, never share limiter, queue or breaker state; a type without a runtime
/// member, or with a null <c>ThrottleRuntime?</c>, runs on <see cref="ThrottleRuntime.Current"/>.
/// </summary>
public sealed class GeneratedRuntimeSelectionTests
{
    private static ThrottleRuntime NewRuntime() => new(new ThrottleRuntimeOptions { TimeProvider = new TestClock(), MaxKeys = 100 });

    private static async Task<int> AdmittedAsync(Func<Task<int>> call)
    {
        try
        {
            await call();
            return 1;
        }
        catch (RateLimitRejectedException)
        {
            return 0;
        }
    }

    [Fact]
    public async Task Two_instances_on_two_runtimes_called_concurrently_each_get_their_own_limiter()
    {
        var a = new TenantService(NewRuntime());
        var b = new TenantService(NewRuntime());

        // 20 calls on each, interleaved on the thread pool: each runtime's limiter admits its own 2, whatever the order.
        var calls = Enumerable.Range(0, 40)
            .Select(i => Task.Run(() => AdmittedAsync(() => (i % 2 == 0 ? a : b).LimitedAsync())))
            .ToArray();
        var admitted = await Task.WhenAll(calls).WaitAsync(Recorder<object>.Safety);

        Assert.Equal(2, admitted.Where((_, i) => i % 2 == 0).Sum());
        Assert.Equal(2, admitted.Where((_, i) => i % 2 == 1).Sum());
    }

    [Fact]
    public async Task A_limiter_exhausted_on_one_runtime_leaves_the_other_full()
    {
        var a = new TenantService(NewRuntime());
        var b = new TenantService(NewRuntime());

        Assert.Equal(1, await a.LimitedAsync());
        Assert.Equal(2, await a.LimitedAsync());
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => a.LimitedAsync());

        Assert.Equal(1, await b.LimitedAsync());
        Assert.Equal(2, await b.LimitedAsync());
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => b.LimitedAsync());
    }

    [Fact]
    public async Task A_breaker_opened_on_one_runtime_leaves_the_other_closed()
    {
        var a = new TenantService(NewRuntime());
        var b = new TenantService(NewRuntime());

        await Assert.ThrowsAsync<InvalidOperationException>(() => a.CallAsync(fail: true));
        await Assert.ThrowsAsync<InvalidOperationException>(() => a.CallAsync(fail: true));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => a.CallAsync(fail: false));

        // B's breaker never saw A's failures: closed, and it takes its own two failures to open.
        await b.CallAsync(fail: false);
        await Assert.ThrowsAsync<InvalidOperationException>(() => b.CallAsync(fail: true));
        await b.CallAsync(fail: false);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => a.CallAsync(fail: false));
    }

    [Fact]
    public async Task A_queue_on_one_runtime_is_separate_from_the_others()
    {
        var runtimeA = NewRuntime();
        var runtimeB = NewRuntime();
        var a = new TenantService(runtimeA);
        var b = new TenantService(runtimeB);
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // A's only worker is busy, so A's next call waits; B's queue has its own worker and runs at once.
        var busy = a.QueuedAsync(() =>
        {
            started.SetResult();
            return release.Task;
        });
        await started.Task.Safe();
        var waiting = a.QueuedAsync(() => Task.FromResult(2));
        Assert.Equal(7, await b.QueuedAsync(() => Task.FromResult(7)).WaitAsync(Recorder<object>.Safety));
        Assert.False(waiting.IsCompleted);

        release.SetResult(1);
        Assert.Equal(1, await busy.WaitAsync(Recorder<object>.Safety));
        Assert.Equal(2, await waiting.WaitAsync(Recorder<object>.Safety));
        await runtimeA.StopQueuesAsync().Safe();
        await runtimeB.StopQueuesAsync().Safe();
    }

    [Fact]
    public void A_named_limiter_is_looked_up_on_the_instances_runtime()
    {
        var withLimiter = NewRuntime();
        withLimiter.RegisterLimiter("tenant-api", new TokenBucketLimiter(1, per: 60, storage: withLimiter.Storage, scope: "tenant-api"));
        var a = new TenantService(withLimiter);
        var b = new TenantService(NewRuntime());

        Assert.Equal(1, a.Named());
        var missing = Assert.Throws<InvalidOperationException>(() => b.Named());
        Assert.Contains("tenant-api", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_instances_runtime_wins_over_a_ThrottleRuntime_Use_scope()
    {
        var own = NewRuntime();
        var scoped = NewRuntime();
        var service = new TenantService(own);
        using (ThrottleRuntime.Use(scoped))
        {
            await service.LimitedAsync();
            await service.LimitedAsync();
        }

        // Both permits came from the instance's runtime: it is empty now, even outside the scope.
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => service.LimitedAsync());
    }

    [Fact]
    public void A_null_in_a_non_nullable_member_throws_naming_the_member()
    {
        var service = new FieldService(null!);
        var error = Assert.Throws<InvalidOperationException>(() => service.Once());
        Assert.Contains("'Throttle.Tests.Infrastructure.FieldService._runtime' is null", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_null_in_a_nullable_member_means_Current()
    {
        var service = new OptionalService();
        using (ThrottleRuntime.Use(NewRuntime()))
        {
            Assert.Equal(1, await service.OnceAsync());
            await Assert.ThrowsAsync<RateLimitRejectedException>(() => service.OnceAsync().AsTask());
        }

        using (ThrottleRuntime.Use(NewRuntime()))
        {
            Assert.Equal(1, await service.OnceAsync()); // another current runtime, another limiter
        }

        var own = new OptionalService { Runtime = NewRuntime() };
        Assert.Equal(1, await own.OnceAsync());
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => own.OnceAsync().AsTask());
    }

    [Fact]
    public void A_type_without_a_runtime_member_runs_on_Current()
    {
        var service = new PlainService();
        using (ThrottleRuntime.Use(NewRuntime()))
        {
            Assert.Equal(1, service.Once());
            Assert.Throws<RateLimitRejectedException>(() => service.Once());
        }

        using (ThrottleRuntime.Use(NewRuntime()))
        {
            Assert.Equal(1, service.Once());
        }
    }

    [Fact]
    public void The_generated_module_initializer_recorded_the_named_limiter()
    {
        var references = SiteManifest.References.Where(r => r.Method.StartsWith("Throttle.Tests.Infrastructure.", StringComparison.Ordinal)).ToList();
        var reference = Assert.Single(references);
        Assert.Equal("Throttle.Tests.Infrastructure.TenantService.Named", reference.Method);
        Assert.Equal(SiteResourceKind.Limiter, reference.Kind);
        Assert.Equal("tenant-api", reference.Name);
    }
}
