using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Infrastructure;
using Throttle.Queues;
using Throttle.Tests.Queues;
using Xunit;
using Throttle.Testing;

namespace Throttle.Tests.Infrastructure;

/// <summary>The generator-facing <see cref="QueuedSite"/>, end to end, the way generated code calls it.</summary>
public sealed class QueuedSiteTests
{
    private static QueuedSite Site(string id, string? queueName, int workers, int maxSize) =>
        new(id, new Throttle.Policies.QueuedOptions { Queue = queueName, Workers = workers, MaxSize = maxSize });

    // What generated code looks like: a static site and the implementation as a static lambda over the arguments.
    private static readonly Func<(int A, int B), CancellationToken, ValueTask<int>> Add = static (args, _) => ValueTask.FromResult(args.A + args.B);

    private static ThrottleRuntime NewRuntime() => new(new ThrottleRuntimeOptions { TimeProvider = new TestClock(), MaxKeys = 10 });

    [Fact]
    public async Task Enqueue_ReturnsTheImplementationsResult_OnTheMethodsOwnQueue()
    {
        var runtime = NewRuntime();
        var site = Site("Ns.Type.Add(int, int)", queueName: null, workers: 2, maxSize: 50);
        using (ThrottleRuntime.Use(runtime))
        {
            Assert.Equal(5, await site.EnqueueAsync((2, 3), Add, 0, CancellationToken.None).Safe());
            var queue = site.Queue;
            Assert.Same(queue, site.Queue);
            Assert.Equal(2, queue.Workers);
            Assert.Equal(50, queue.MaxSize);
            Assert.Equal(WorkQueueState.Running, queue.State);
        }

        Assert.Equal(0, await runtime.StopQueuesAsync().Safe());
    }

    [Fact]
    public async Task Exceptions_And_VoidCalls_ReachTheCaller()
    {
        var runtime = NewRuntime();
        var site = Site("Ns.Type.Fail()", null, 1, 10);
        using var scope = ThrottleRuntime.Use(runtime);
        var ran = 0;

        await site.EnqueueAsync(7, (n, _) =>
        {
            ran = n;
            return ValueTask.CompletedTask;
        }, 0, CancellationToken.None).Safe();
        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            site.EnqueueAsync<int>(0, static (_, _) => throw new ArgumentException("bad", "x"), 0, CancellationToken.None).Safe());

        Assert.Equal(7, ran);
        Assert.Equal("x", ex.ParamName);
        await runtime.StopQueuesAsync().Safe();
    }

    [Fact]
    public async Task Priorities_And_Cancellation_BeforeRun()
    {
        var runtime = NewRuntime();
        var site = Site("Ns.Type.Work(string)", null, 1, 10);
        using var scope = ThrottleRuntime.Use(runtime);
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = site.EnqueueAsync("first", async (name, _) =>
        {
            running.SetResult();
            await gate.Task;
            order.Enqueue(name);
        }, 0, CancellationToken.None);
        await running.Task.Safe();

        Func<string, CancellationToken, ValueTask> note = (name, _) =>
        {
            order.Enqueue(name);
            return ValueTask.CompletedTask;
        };
        using var cts = new CancellationTokenSource();
        var low = site.EnqueueAsync("low", note, 1, CancellationToken.None);
        var cancelled = site.EnqueueAsync("cancelled", note, 100, cts.Token);
        var high = site.EnqueueAsync("high", note, 9, CancellationToken.None);
        await cts.CancelAsync();
        gate.SetResult();

        await Task.WhenAll(first, low, high).Safe();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.Safe());
        Assert.Equal(new[] { "first", "high", "low" }, order);
        await runtime.StopQueuesAsync().Safe();
    }

    [Fact]
    public async Task EachRuntime_HasItsOwnQueueForTheSite()
    {
        var site = Site("Ns.Type.M()", null, 1, 10);
        var a = NewRuntime();
        var b = NewRuntime();
        InvocationQueue queueA, queueB;
        using (ThrottleRuntime.Use(a))
        {
            queueA = site.Queue;
        }

        using (ThrottleRuntime.Use(b))
        {
            queueB = site.Queue;
        }

        Assert.NotSame(queueA, queueB);
        await a.StopQueuesAsync().Safe();
        await b.StopQueuesAsync().Safe();
    }

    [Fact]
    public async Task NamedQueue_IsShared_AndMustBeRegistered()
    {
        var runtime = NewRuntime();
        var shared = new InvocationQueue(workers: 3, maxSize: 7);
        Assert.Same(runtime, runtime.RegisterQueue("bulk", shared));
        var one = Site("Ns.Type.One()", "bulk", 1, 1);
        var two = Site("Ns.Type.Two()", "bulk", 1, 1);
        var missing = Site("Ns.Type.Three()", "nope", 1, 1);
        using var scope = ThrottleRuntime.Use(runtime);

        Assert.Same(shared, one.Queue);
        Assert.Same(shared, two.Queue);
        Assert.Same(shared, runtime.GetQueue("bulk"));
        Assert.Equal(4, await one.EnqueueAsync((1, 3), Add, 0, CancellationToken.None).Safe());
        var error = Assert.Throws<InvalidOperationException>(() => missing.Queue);
        Assert.Contains("RegisterQueue(\"nope\"", error.Message, StringComparison.Ordinal);
        Assert.False(runtime.TryGetQueue("nope", out _));
        Assert.Throws<ArgumentException>(() => runtime.RegisterQueue("bulk", new InvocationQueue()));
        Assert.Throws<ArgumentNullException>(() => runtime.RegisterQueue("other", null!));
        Assert.Throws<ArgumentException>(() => runtime.RegisterQueue("", shared));
        await runtime.StopQueuesAsync().Safe();
    }

    [Fact]
    public async Task StopQueues_NoLostCall_LaterCallsFailClearly()
    {
        var runtime = NewRuntime();
        var site = Site("Ns.Type.Slow()", null, 1, 10);
        using var scope = ThrottleRuntime.Use(runtime);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = site.EnqueueAsync(0, async (_, _) =>
        {
            running.SetResult();
            await gate.Task;
            return 1;
        }, 0, CancellationToken.None);
        await running.Task.Safe();
        var second = site.EnqueueAsync((1, 1), Add, 0, CancellationToken.None);

        var stopping = runtime.StopQueuesAsync(QueueStopMode.HandBack);
        gate.SetResult();

        Assert.Equal(1, await stopping.Safe());
        Assert.Equal(1, await first.Safe());
        await Assert.ThrowsAsync<QueueStoppedException>(() => second.Safe());
        await Assert.ThrowsAsync<QueueStoppedException>(() => site.EnqueueAsync((1, 1), Add, 0, CancellationToken.None).Safe());
    }

    [Fact]
    public async Task StopQueues_AlsoStopsAMethodWhoseQueueDidNotExistYet()
    {
        var runtime = NewRuntime();
        var site = Site("Ns.Type.NeverCalled()", null, 1, 10);
        using var scope = ThrottleRuntime.Use(runtime);

        Assert.Equal(0, await runtime.StopQueuesAsync().Safe());

        await Assert.ThrowsAsync<QueueStoppedException>(() => site.EnqueueAsync((1, 1), Add, 0, CancellationToken.None).Safe());
        Assert.Equal(WorkQueueState.Stopped, site.Queue.State);
    }

    [Fact]
    public void Constructor_ValidatesArguments()
    {
        Assert.Equal("id", Assert.Throws<ArgumentNullException>(() => Site(null!, null, 1, 1)).ParamName);
        Assert.Equal("id", Assert.Throws<ArgumentException>(() => Site("", null, 1, 1)).ParamName);
        Assert.Equal("Queue", Assert.Throws<ArgumentException>(() => Site("a", "", 1, 1)).ParamName);
        Assert.Equal("Workers", Assert.Throws<ArgumentOutOfRangeException>(() => Site("a", null, 0, 1)).ParamName);
        Assert.Equal("MaxSize", Assert.Throws<ArgumentOutOfRangeException>(() => Site("a", null, 1, 0)).ParamName);
        var site = Site("a", "q", 2, 3);
        Assert.Equal(("a", "q", 2, 3), (site.Id, site.QueueName, site.Workers, site.MaxSize));
    }
}
