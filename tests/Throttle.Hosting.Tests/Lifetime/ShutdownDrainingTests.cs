using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Throttle.Queues;
using Xunit;

namespace Throttle.Hosting.Tests.Lifetime;

/// <summary>
/// The host's shutdown stops the runtime's queues: waiting calls are drained until the shutdown token ends the drain,
/// and then fail with <see cref="QueueStoppedException"/>; none is lost and none runs twice.
/// </summary>
public sealed class ShutdownDrainingTests
{
    private const int Waiting = 20;

    [Fact]
    public async Task Stopping_the_host_drains_every_waiting_call_exactly_once()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?> { ["Throttle:Queues:imports:Workers"] = "2" });
        await host.StartAsync();
        var queue = host.Services.GetRequiredService<ThrottleRuntime>().GetQueue("imports");
        using var calls = new Calls(queue, Waiting);
        await calls.BothWorkersBusyAsync();

        var stopping = host.StopAsync();

        Assert.False(stopping.IsCompleted); // the drain waits for the running calls
        calls.ReleaseRunning();
        await stopping;

        Assert.All(await calls.OutcomesAsync(), o => Assert.Equal("ran", o));
        Assert.All(calls.Runs, runs => Assert.Equal(1, runs));
        Assert.Equal(WorkQueueState.Stopped, queue.State);
    }

    [Fact]
    public async Task When_the_shutdown_token_ends_the_drain_the_rest_fail_with_QueueStoppedException_and_none_is_lost()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?> { ["Throttle:Queues:imports:Workers"] = "2" });
        await host.StartAsync();
        var queue = host.Services.GetRequiredService<ThrottleRuntime>().GetQueue("imports");
        using var calls = new Calls(queue, Waiting);
        await calls.BothWorkersBusyAsync();
        using var shutdownTimeout = new CancellationTokenSource();

        var stopping = host.StopAsync(shutdownTimeout.Token);
        await shutdownTimeout.CancelAsync(); // the host's shutdown timeout, as a signal

        // The waiting calls fail while the two running ones still run; those finish, and then the host has stopped.
        await calls.WaitingSettledAsync();
        Assert.False(stopping.IsCompleted);
        calls.ReleaseRunning();
        await stopping;

        var outcomes = await calls.OutcomesAsync();
        Assert.Equal(Waiting + 2, outcomes.Count);
        Assert.Equal(2, outcomes.Count(o => o == "ran"));
        Assert.Equal(Waiting, outcomes.Count(o => o == nameof(QueueStoppedException)));
        Assert.All(calls.Runs, runs => Assert.InRange(runs, 0, 1));
        Assert.Equal(2, calls.Runs.Sum());
    }

    [Fact]
    public async Task A_method_queue_created_after_shutdown_is_born_stopped()
    {
        using var host = TestHosts.Build(configure: t => t.AddQueue("imports"));
        await host.StartAsync();
        var runtime = host.Services.GetRequiredService<ThrottleRuntime>();
        await host.StopAsync();

        await Assert.ThrowsAsync<QueueStoppedException>(() => runtime.GetQueue("imports").EnqueueAsync(0, static (_, _) => ValueTask.CompletedTask, 0, default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.StartAsync());
    }

    /// <summary>Two calls that hold both workers until released, then <c>count</c> waiting calls; each counts its runs.</summary>
    private sealed class Calls : IDisposable
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CountdownEvent _running = new(2);
        private readonly int[] _runs;
        private readonly List<Task> _tasks = [];

        public Calls(InvocationQueue queue, int count)
        {
            _runs = new int[count + 2];
            for (var i = 0; i < 2; i++)
            {
                _tasks.Add(queue.EnqueueAsync(i, async (id, _) =>
                {
                    Interlocked.Increment(ref _runs[id]);
                    _running.Signal();
                    await _release.Task;
                }, priority: 1, default));
            }

            for (var i = 2; i < count + 2; i++)
            {
                _tasks.Add(queue.EnqueueAsync(i, (id, _) =>
                {
                    Interlocked.Increment(ref _runs[id]);
                    return ValueTask.CompletedTask;
                }, priority: 0, default));
            }
        }

        public IReadOnlyList<int> Runs => _runs;

        public Task BothWorkersBusyAsync() => Task.Run(() => Assert.True(_running.Wait(TimeSpan.FromSeconds(30)), "the workers never took the first calls"));

        public void ReleaseRunning() => _release.SetResult();

        public Task WaitingSettledAsync() => Task.WhenAll(_tasks.Skip(2).Select(static t => t.ContinueWith(static _ => { }, TaskScheduler.Default)));

        public async Task<IReadOnlyList<string>> OutcomesAsync()
        {
            var outcomes = new List<string>();
            foreach (var task in _tasks)
            {
                try
                {
                    await task;
                    outcomes.Add("ran");
                }
                catch (QueueStoppedException)
                {
                    outcomes.Add(nameof(QueueStoppedException));
                }
            }

            return outcomes;
        }

        public void Dispose()
        {
            _release.TrySetResult();
            _running.Dispose();
        }
    }
}
