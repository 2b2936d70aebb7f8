using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Throttle.Workers;
using Xunit;

namespace Throttle.Hosting.Tests.Workers;

/// <summary><c>AddWorkerPool</c>: the host creates the pool when it starts and drains and stops it when it stops.</summary>
public sealed class WorkerPoolHostingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_pool_is_created_when_the_host_starts_and_drained_when_it_stops()
    {
        var created = 0;
        using var host = TestHosts.Build(configure: throttle => throttle.AddWorkerPool("images", (_, clock) =>
        {
            Interlocked.Increment(ref created);
            return new WorkerPool(minWorkers: 2, maxWorkers: 4, timeProvider: clock);
        }));
        Assert.Equal(0, created);

        await host.StartAsync();
        Assert.Equal(1, created); // at start, not at the first use
        var pool = host.Services.GetRequiredKeyedService<WorkerPool>("images");
        Assert.Equal(2, pool.WorkerCount);

        // Two tasks hold both workers; eight more wait. Stopping runs all ten, once each.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = new CountdownEvent(2);
        var runs = new int[10];
        var tasks = Enumerable.Range(0, 10).Select(i => pool.SubmitAsync(async _ =>
        {
            if (i < 2)
            {
                running.Signal();
                await release.Task;
            }

            return Interlocked.Increment(ref runs[i]);
        })).ToArray();
        await Task.Run(() => running.Wait(Patience));

        var stopping = host.StopAsync();
        Assert.False(stopping.IsCompleted);
        release.SetResult();
        await stopping.WaitAsync(Patience);

        Assert.All(await Task.WhenAll(tasks), r => Assert.Equal(1, r));
        Assert.All(runs, r => Assert.Equal(1, r));
        Assert.Throws<ObjectDisposedException>(() => { _ = pool.SubmitAsync(_ => ValueTask.FromResult(0)); });
    }

    [Fact]
    public async Task The_shutdown_timeout_ends_the_wait_for_the_drain_and_logs_it()
    {
        var logs = new FakeLogCollector();
        using var host = TestHosts.Build(
            configure: throttle => throttle.AddWorkerPool("slow", (_, clock) => new WorkerPool(minWorkers: 1, maxWorkers: 1, timeProvider: clock)),
            services: s => s.AddLogging(l => l.AddProvider(new FakeLoggerProvider(logs))));
        await host.StartAsync();
        var pool = host.Services.GetRequiredKeyedService<WorkerPool>("slow");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stuck = pool.SubmitAsync(async _ =>
        {
            started.SetResult();
            await release.Task;
            return 1;
        });
        var waiting = pool.SubmitAsync(_ => ValueTask.FromResult(2));
        await started.Task.WaitAsync(Patience);
        using var shutdownTimeout = new CancellationTokenSource();

        var stopping = host.StopAsync(shutdownTimeout.Token);
        Assert.False(stopping.IsCompleted);
        await shutdownTimeout.CancelAsync(); // the host's shutdown timeout, as a signal
        await stopping.WaitAsync(Patience);

        var warning = Assert.Single(logs.GetSnapshot(), r => r.Category == typeof(WorkerPool).FullName && r.Level == LogLevel.Warning);
        Assert.Contains("worker pool 'slow'", warning.Message, StringComparison.Ordinal);
        Assert.Contains("1 submitted tasks had not started", warning.Message, StringComparison.Ordinal);

        // Nothing was dropped: released, both tasks still run to the end.
        release.SetResult();
        Assert.Equal(1, await stuck.WaitAsync(Patience));
        Assert.Equal(2, await waiting.WaitAsync(Patience));
    }

    [Fact]
    public async Task The_pool_is_on_the_runtimes_meter_under_its_name()
    {
        using var host = TestHosts.Build(configure: throttle => throttle.AddWorkerPool("reports"));
        await host.StartAsync();
        var runtime = host.Services.GetRequiredService<ThrottleRuntime>();

        var stats = runtime.Metrics.GetStats();

        Assert.Equal(1, stats.Gauges["throttle.worker_pool.workers{throttle.worker_pool.name=reports}"]);
        await host.StopAsync();
    }

    [Fact]
    public void A_name_registered_twice_or_empty_is_refused_at_registration()
    {
        var throttle = new ServiceCollection().AddThrottle().AddWorkerPool("images");

        Assert.Equal("name", Assert.Throws<ArgumentException>(() => throttle.AddWorkerPool("images")).ParamName);
        Assert.Equal("name", Assert.ThrowsAny<ArgumentException>(() => throttle.AddWorkerPool("")).ParamName);
        Assert.Equal("factory", Assert.Throws<ArgumentNullException>(() => throttle.AddWorkerPool("x", null!)).ParamName);
    }
}
