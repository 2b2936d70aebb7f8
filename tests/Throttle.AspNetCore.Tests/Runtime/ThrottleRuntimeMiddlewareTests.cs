using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.TestHost;
using Throttle.AspNetCore.Runtime;
using Throttle.AspNetCore.TestApp;
using Throttle.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Throttle.AspNetCore.Tests.Runtime;

public sealed class ThrottleRuntimeMiddlewareTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_request_runs_on_the_hosts_runtime_and_the_scope_ends_with_it()
    {
        var runtime = new ThrottleRuntime();
        var outside = ThrottleRuntime.Current;
        ThrottleRuntime? seen = null;
        var middleware = new ThrottleRuntimeMiddleware(
            async _ =>
            {
                await Task.Yield();
                seen = ThrottleRuntime.Current;
            },
            runtime);

        await middleware.InvokeAsync(new DefaultHttpContext());

        Assert.Same(runtime, seen);
        Assert.Same(outside, ThrottleRuntime.Current);
    }

    [Fact]
    public async Task Static_generated_methods_called_in_a_request_use_the_hosts_runtime()
    {
        var runtime = TestRuntimes.InMemory(new TestClock());
        await using var factory = new TestAppFactory(runtime);
        using var client = factory.CreateClient();

        Assert.Equal(RuntimeIdentity.Of(runtime), await client.GetStringAsync(new Uri("/current", UriKind.Relative)));
        for (var i = 0; i < StaticReports.PerUser; i++)
        {
            await client.GetStringAsync(new Uri("/generated/static?user=alice", UriKind.Relative));
        }

        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, (await client.GetAsync(new Uri("/generated/static?user=alice", UriKind.Relative))).StatusCode);

        // The process-wide runtime outside any request never saw those calls.
        Assert.NotSame(runtime, ThrottleRuntime.Current);
        Assert.Equal("lookup for alice", StaticReports.Lookup("alice"));
    }

    [Fact]
    public async Task It_allocates_nothing_beyond_the_runtime_scope()
    {
        const int Requests = 1_000;
        var runtime = new ThrottleRuntime();
        var middleware = new ThrottleRuntimeMiddleware(_ => Task.CompletedTask, runtime);
        var context = new DefaultHttpContext();
        await middleware.InvokeAsync(context); // warm up: JIT, the AsyncLocal's first use
        using (ThrottleRuntime.Use(runtime))
        {
        }

        var start = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Requests; i++)
        {
            using (ThrottleRuntime.Use(runtime))
            {
            }
        }

        var scopeOnly = GC.GetAllocatedBytesForCurrentThread() - start;
        start = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Requests; i++)
        {
            var pending = middleware.InvokeAsync(context);
            Assert.True(pending.IsCompletedSuccessfully);
        }

        var middlewareBytes = GC.GetAllocatedBytesForCurrentThread() - start;
        output.WriteLine($"Allocated a request: middleware {middlewareBytes / (double)Requests:0.#} B, runtime scope alone {scopeOnly / (double)Requests:0.#} B.");
        Assert.True(scopeOnly > 0, "the scope allocates; if this changes, tighten the bound below to zero");
        Assert.True(
            middlewareBytes <= scopeOnly,
            $"The middleware allocated {middlewareBytes / Requests} B a request; the scope alone {scopeOnly / Requests} B.");
    }

    [Fact]
    public async Task A_host_without_a_registered_runtime_fails_to_start_saying_what_to_register()
    {
        await using var factory = new TestAppFactory(new ThrottleRuntime()).WithWebHostBuilder(
            builder => builder.ConfigureTestServices(services => services.RemoveAll<ThrottleRuntime>()));

        var error = Assert.Throws<InvalidOperationException>(() => factory.CreateClient());

        Assert.Contains("AddThrottle", error.Message, StringComparison.Ordinal);
        Assert.Contains("ThrottleRuntime", error.Message, StringComparison.Ordinal);
    }
}
