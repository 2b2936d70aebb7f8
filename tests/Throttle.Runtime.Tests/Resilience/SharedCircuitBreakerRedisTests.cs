using System;
using System.Linq;
using System.Threading.Tasks;
using Polly.CircuitBreaker;
using StackExchange.Redis;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Resilience;

/// <summary>
/// A shared breaker on a real redis-server, with two or three runtimes standing for processes (each on its own
/// connection, so announcements really travel through Redis). The multi-process tests are in SharedCircuitBreakerProcessTests.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class SharedCircuitBreakerRedisTests(RedisFixture redis)
{
    private const string Name = "payments";

    private async Task<(ThrottleRuntime[] Runtimes, IConnectionMultiplexer[] Connections)> ProcessesAsync(int count, string prefix)
    {
        var connections = new IConnectionMultiplexer[count];
        var runtimes = new ThrottleRuntime[count];
        for (var i = 0; i < count; i++)
        {
            connections[i] = await redis.ConnectAsync();
            runtimes[i] = SharedBreakers.Runtime(connections[i], prefix);
        }

        return (runtimes, connections);
    }

    private static async Task DisposeAsync((ThrottleRuntime[] Runtimes, IConnectionMultiplexer[] Connections) processes)
    {
        foreach (var runtime in processes.Runtimes)
        {
            await runtime.DisposeAsync();
        }

        foreach (var connection in processes.Connections)
        {
            await connection.DisposeAsync();
        }
    }

    [RedisFact]
    public async Task Failures_in_one_process_open_the_breaker_of_every_process_by_announcement()
    {
        var processes = await ProcessesAsync(3, redis.KeyPrefix());
        try
        {
            var site = SharedBreakers.Site(Name);
            var pipelines = processes.Runtimes.Select(r => r.ResolvePipeline(site)).ToArray();
            foreach (var pipeline in pipelines)
            {
                await Calls.SucceedAsync(pipeline); // first use: joins (subscribes, checks the settings)
            }

            await Calls.FailAsync(pipelines[0], 3);

            // The others open on the announcement: they made no call since.
            foreach (var runtime in processes.Runtimes)
            {
                var breaker = SharedBreakers.Breaker(runtime, Name);
                Assert.True(breaker.IsShared);
                await SharedBreakers.EventuallyAsync(() => breaker.State == CircuitState.Open, "every process's breaker is open");
            }

            var counter = new Counter();
            var rejected = Assert.IsType<BrokenCircuitException>(await Calls.RunAsync(pipelines[2], null, counter));
            Assert.Equal(0, counter.Count);
            Assert.InRange(rejected.RetryAfter!.Value, TimeSpan.FromSeconds(55), TimeSpan.FromSeconds(60));
        }
        finally
        {
            await DisposeAsync(processes);
        }
    }

    [RedisFact]
    public async Task Consecutive_failures_are_counted_across_processes_and_a_success_anywhere_resets_them()
    {
        var processes = await ProcessesAsync(3, redis.KeyPrefix());
        try
        {
            var site = SharedBreakers.Site(Name);
            var pipelines = processes.Runtimes.Select(r => r.ResolvePipeline(site)).ToArray();
            foreach (var pipeline in pipelines)
            {
                await Calls.SucceedAsync(pipeline);
            }

            // Two failures in two processes, then a success in the third: the third learnt of the streak by announcement.
            await Calls.FailAsync(pipelines[0], 1);
            await Calls.FailAsync(pipelines[1], 1);
            var third = SharedBreakers.Breaker(processes.Runtimes[2], Name);
            await SharedBreakers.EventuallyAsync(() => third.ConsecutiveFailures > 0, "the third process knows failures are counted");
            await Calls.SucceedAsync(pipelines[2]);

            // Reset: two more failures do not open it; a third does.
            await Calls.FailAsync(pipelines[0], 1);
            await Calls.FailAsync(pipelines[1], 1);
            Assert.Equal(CircuitState.Closed, SharedBreakers.Breaker(processes.Runtimes[1], Name).State);
            await Calls.FailAsync(pipelines[2], 1);
            Assert.Equal(CircuitState.Open, third.State);
            await SharedBreakers.EventuallyAsync(() => SharedBreakers.Breaker(processes.Runtimes[0], Name).State == CircuitState.Open, "the first process opened too");
        }
        finally
        {
            await DisposeAsync(processes);
        }
    }

    [RedisFact]
    public async Task Half_open_admits_exactly_one_trial_across_processes_and_its_success_closes_every_one()
    {
        var processes = await ProcessesAsync(3, redis.KeyPrefix());
        try
        {
            var site = SharedBreakers.Site(Name, threshold: 1, breakSeconds: 0.5);
            var pipelines = processes.Runtimes.Select(r => r.ResolvePipeline(site)).ToArray();
            foreach (var pipeline in pipelines)
            {
                await Calls.SucceedAsync(pipeline);
            }

            await Calls.FailAsync(pipelines[0], 1);
            var breakers = processes.Runtimes.Select(r => SharedBreakers.Breaker(r, Name)).ToArray();
            await SharedBreakers.EventuallyAsync(() => breakers.All(b => b.State != CircuitState.Closed), "every process opened");
            await SharedBreakers.EventuallyAsync(() => breakers.All(b => b.State == CircuitState.HalfOpen), "the break is over everywhere");

            // Every process tries at once, several calls each: exactly one runs, as the trial.
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var entered = Enumerable.Range(0, 9).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
            var calls = Enumerable.Range(0, 9).Select(i => Task.Run(() => SharedBreakers.HoldAsync(pipelines[i % 3], entered[i], release.Task))).ToArray();
            var firstEntered = await Task.WhenAny(entered.Select(e => e.Task)).WaitAsync(SharedBreakers.Guard);
            var others = await Task.WhenAll(calls.Where((_, i) => entered[i].Task != firstEntered));
            Assert.All(others, rejection => Assert.IsType<BrokenCircuitException>(rejection));
            Assert.Equal(1, entered.Count(e => e.Task.IsCompleted));

            release.SetResult();
            Assert.Null(await calls[Array.FindIndex(entered, e => e.Task == firstEntered)]);
            await SharedBreakers.EventuallyAsync(() => breakers.All(b => b.State == CircuitState.Closed), "the trial's success closed every process");
            foreach (var pipeline in pipelines)
            {
                await Calls.SucceedAsync(pipeline);
            }
        }
        finally
        {
            await DisposeAsync(processes);
        }
    }

    [RedisFact]
    public async Task A_failed_trial_opens_every_process_for_another_break()
    {
        var processes = await ProcessesAsync(2, redis.KeyPrefix());
        try
        {
            var site = SharedBreakers.Site(Name, threshold: 1, breakSeconds: 1.5);
            var pipelines = processes.Runtimes.Select(r => r.ResolvePipeline(site)).ToArray();
            await Calls.SucceedAsync(pipelines[0]);
            await Calls.SucceedAsync(pipelines[1]);
            await Calls.FailAsync(pipelines[0], 1);
            var other = SharedBreakers.Breaker(processes.Runtimes[1], Name);
            await SharedBreakers.EventuallyAsync(() => other.State == CircuitState.HalfOpen, "the break is over");

            await Calls.FailAsync(pipelines[1], 1); // the trial, in the second process
            var first = SharedBreakers.Breaker(processes.Runtimes[0], Name);
            Assert.Equal(CircuitState.Open, other.State);
            await SharedBreakers.EventuallyAsync(() => first.State == CircuitState.Open, "the first process reopened on the announcement");
        }
        finally
        {
            await DisposeAsync(processes);
        }
    }

    [RedisFact]
    public async Task A_process_with_other_settings_fails_at_first_use_naming_both()
    {
        var processes = await ProcessesAsync(2, redis.KeyPrefix());
        try
        {
            await Calls.SucceedAsync(processes.Runtimes[0].ResolvePipeline(SharedBreakers.Site(Name, threshold: 3, breakSeconds: 60, id: "First.Method()")));
            var second = processes.Runtimes[1].ResolvePipeline(SharedBreakers.Site(Name, threshold: 4, breakSeconds: 30, id: "Second.Method()"));
            var counter = new Counter();
            var error = Assert.IsType<InvalidOperationException>(await Calls.RunAsync(second, null, counter));
            Assert.Equal(0, counter.Count);
            Assert.Contains("'payments'", error.Message, StringComparison.Ordinal);
            Assert.Contains("FailureThreshold = 3, BreakSeconds = 60 (first used by First.Method()", error.Message, StringComparison.Ordinal);
            Assert.Contains("Second.Method() in process", error.Message, StringComparison.Ordinal);
            Assert.Contains("asks for FailureThreshold = 4, BreakSeconds = 30", error.Message, StringComparison.Ordinal);

            // Every later call fails the same way; the first process is unaffected.
            Assert.IsType<InvalidOperationException>(await Calls.RunAsync(second, null, counter));
            Assert.Equal(0, counter.Count);
            await Calls.SucceedAsync(processes.Runtimes[0].ResolvePipeline(SharedBreakers.Site(Name, threshold: 3, breakSeconds: 60, id: "First.Method()")));
        }
        finally
        {
            await DisposeAsync(processes);
        }
    }

    [RedisFact]
    public async Task Isolate_and_close_by_hand_apply_to_every_process()
    {
        var processes = await ProcessesAsync(2, redis.KeyPrefix());
        try
        {
            var site = SharedBreakers.Site(Name);
            var pipelines = processes.Runtimes.Select(r => r.ResolvePipeline(site)).ToArray();
            await Calls.SucceedAsync(pipelines[0]);
            await Calls.SucceedAsync(pipelines[1]);
            var other = SharedBreakers.Breaker(processes.Runtimes[1], Name);

            await SharedBreakers.Breaker(processes.Runtimes[0], Name).IsolateAsync();
            await SharedBreakers.EventuallyAsync(() => other.State == CircuitState.Isolated, "the other process is isolated");
            Assert.IsType<IsolatedCircuitException>(await Calls.RunAsync(pipelines[1], null));

            await SharedBreakers.Breaker(processes.Runtimes[0], Name).CloseAsync();
            await SharedBreakers.EventuallyAsync(() => other.State == CircuitState.Closed, "the other process is closed");
            await Calls.SucceedAsync(pipelines[1]);
        }
        finally
        {
            await DisposeAsync(processes);
        }
    }

    [RedisFact]
    public async Task A_registered_breaker_is_shared_too()
    {
        var processes = await ProcessesAsync(2, redis.KeyPrefix());
        try
        {
            var registered = processes.Runtimes[0].RegisterCircuitBreaker(Name, new Throttle.Policies.CircuitBreakerOptions { FailureThreshold = 2, BreakSeconds = 60, Shared = true });
            Assert.True(registered.IsShared);
            var first = processes.Runtimes[0].ResolvePipeline(SharedBreakers.Site(Name, threshold: 2));
            var second = processes.Runtimes[1].ResolvePipeline(SharedBreakers.Site(Name, threshold: 2));
            await Calls.SucceedAsync(second);
            await Calls.FailAsync(first, 2);
            await SharedBreakers.EventuallyAsync(() => SharedBreakers.Breaker(processes.Runtimes[1], Name).State == CircuitState.Open, "the second process opened");
        }
        finally
        {
            await DisposeAsync(processes);
        }
    }
}
