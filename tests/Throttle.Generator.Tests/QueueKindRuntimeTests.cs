using System;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Queues;
using Throttle.Testing;
using Xunit;
using static Throttle.Generator.Tests.GeneratedAssembly;

namespace Throttle.Generator.Tests;

/// <summary>
/// <c>[Queued]</c> on each kind of <see cref="InvocationQueue"/> at run time: a delay queue runs a call no earlier than
/// its delay (fake clock), a deduplicating queue lets a call join a waiting call with its key, a FIFO queue runs calls in
/// order, and a method whose calls do not fit the registered queue's kind fails its first call naming both.
/// </summary>
public sealed class QueueKindRuntimeTests
{
    private const string Source = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Throttle;

        namespace Kinds;

        public sealed record Request(int Id, string Value);

        public sealed partial class Jobs
        {
            private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
            private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
            public int FetchRuns;
            public Task Entered;

            public Jobs() => Entered = _entered.Task;
            public string Order = "";

            public void Open() => _gate.TrySetResult();

            [Queued(Queue = "later", DelayParameter = nameof(delay))]
            public partial Task<string> LaterAsync(string name, TimeSpan delay);
            private Task<string> LaterCoreAsync(string name, TimeSpan delay)
            {
                Order += name;
                return Task.FromResult(name);
            }

            [Queued(DelayParameter = nameof(delay))]
            public partial Task OwnLaterAsync(string name, TimeSpan delay);
            private Task OwnLaterCoreAsync(string name, TimeSpan delay)
            {
                Order += name;
                return Task.CompletedTask;
            }

            [Queued(Queue = "once", DedupeKey = "request.Id")]
            public partial Task<string> FetchAsync(Request request, CancellationToken cancellationToken);
            private async Task<string> FetchCoreAsync(Request request, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref FetchRuns);
                _entered.TrySetResult();
                await _gate.Task;
                return request.Value;
            }

            [Queued(Queue = "fifo")]
            public partial Task<string> PlainAsync(string name);
            private Task<string> PlainCoreAsync(string name)
            {
                Order += name;
                return Task.FromResult(name);
            }

            [Queued(Queue = "fifo", Priority = 5)]
            public partial Task<string> UrgentAsync(string name);
            private Task<string> UrgentCoreAsync(string name) => Task.FromResult(name);

            [Queued(Queue = "later")]
            public partial Task<string> NoDelayAsync(string name);
            private Task<string> NoDelayCoreAsync(string name) => Task.FromResult(name);

            [Queued(Queue = "fifo", DedupeKey = nameof(name))]
            public partial Task<string> DedupeOnFifoAsync(string name);
            private Task<string> DedupeOnFifoCoreAsync(string name) => Task.FromResult(name);
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(() => Load(Source, nameof(QueueKindRuntimeTests)));

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task DelayQueueRunsEachCallNoEarlierThanItsDelay()
    {
        var fake = new TestClock();
        var runtime = NewRuntime(fake).RegisterQueue("later", InvocationQueue.Delayed(timeProvider: fake));
        using (ThrottleRuntime.Use(runtime))
        {
            var jobs = NewJobs();
            var b = Call<Task<string>>(jobs, "LaterAsync", "b", TimeSpan.FromSeconds(5));
            var a = Call<Task<string>>(jobs, "LaterAsync", "a", TimeSpan.FromSeconds(2));

            Assert.True(await fake.WaitForTimerAsync());
            fake.Advance(TimeSpan.FromSeconds(1.9));
            Assert.False(a.IsCompleted, "Not due yet.");
            fake.Advance(TimeSpan.FromSeconds(0.1));
            Assert.Equal("a", await a.WaitAsync(Patience));
            Assert.False(b.IsCompleted, "Queued first, but due later.");

            // The worker sets its timer for b once a has run, or finds b already due: either way it runs by then.
            fake.Advance(TimeSpan.FromSeconds(3));
            Assert.Equal("b", await b.WaitAsync(Patience));
            Assert.Equal("ab", Field<string>(jobs, "Order"));
        }
    }

    [Fact]
    public async Task MethodWithADelayGetsADelayQueueOfItsOwn()
    {
        var fake = new TestClock();
        var runtime = NewRuntime(fake);
        using (ThrottleRuntime.Use(runtime))
        {
            var jobs = NewJobs();
            var call = Call<Task>(jobs, "OwnLaterAsync", "x", TimeSpan.FromSeconds(1));
            Assert.Equal(QueueKind.Delayed, runtime.Queues["Kinds.Jobs.OwnLaterAsync"].Kind);
            Assert.True(await fake.WaitForTimerAsync());
            Assert.False(call.IsCompleted);
            fake.Advance(TimeSpan.FromSeconds(1));
            await call.WaitAsync(Patience);
            Assert.Equal("x", Field<string>(jobs, "Order"));

            Assert.Throws<ArgumentOutOfRangeException>(() => { _ = Call<Task>(jobs, "OwnLaterAsync", "y", TimeSpan.FromSeconds(-1)); });
        }
    }

    [Fact]
    public async Task DeduplicatingQueueJoinsAWaitingCallWithTheSameKey()
    {
        var runtime = NewRuntime(new TestClock()).RegisterQueue("once", InvocationQueue.Deduplicating(workers: 1));
        using (ThrottleRuntime.Use(runtime))
        {
            var jobs = NewJobs();

            // The one worker is busy with key 0, so the calls below wait.
            var busy = Fetch(jobs, 0, "busy");
            await Field<Task>(jobs, "Entered").WaitAsync(Patience);
            var first = Fetch(jobs, 1, "first");
            var duplicate = Fetch(jobs, 1, "duplicate");
            var other = Fetch(jobs, 2, "other");
            Assert.Equal(2, runtime.GetQueue("once").Count);

            jobs.GetType().GetMethod("Open")!.Invoke(jobs, null);
            Assert.Equal("busy", await busy.WaitAsync(Patience));
            Assert.Equal("first", await first.WaitAsync(Patience));
            Assert.Equal("first", await duplicate.WaitAsync(Patience));
            Assert.Equal("other", await other.WaitAsync(Patience));
            Assert.Equal(3, Field<int>(jobs, "FetchRuns"));

            // Once a call has run, its key is free again: a new call runs.
            Assert.Equal("again", await Fetch(jobs, 1, "again").WaitAsync(Patience));
            Assert.Equal(4, Field<int>(jobs, "FetchRuns"));
        }
    }

    [Fact]
    public async Task JoinedCallerCancelsOnlyItsOwnWait()
    {
        var runtime = NewRuntime(new TestClock()).RegisterQueue("once", InvocationQueue.Deduplicating(workers: 1));
        using (ThrottleRuntime.Use(runtime))
        {
            var jobs = NewJobs();
            var busy = Fetch(jobs, 0, "busy");
            await Field<Task>(jobs, "Entered").WaitAsync(Patience);
            var first = Fetch(jobs, 1, "first");
            using var cancel = new CancellationTokenSource();
            var joined = Fetch(jobs, 1, "joined", cancel.Token);
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => joined.WaitAsync(Patience));

            jobs.GetType().GetMethod("Open")!.Invoke(jobs, null);
            Assert.Equal("first", await first.WaitAsync(Patience));
            await busy.WaitAsync(Patience);
            Assert.Equal(2, Field<int>(jobs, "FetchRuns"));
        }
    }

    [Fact]
    public async Task FifoQueueRunsCallsInOrder()
    {
        var runtime = NewRuntime(new TestClock()).RegisterQueue("fifo", InvocationQueue.Fifo());
        using (ThrottleRuntime.Use(runtime))
        {
            var jobs = NewJobs();
            var calls = new[] { "a", "b", "c" };
            var tasks = Array.ConvertAll(calls, name => Call<Task<string>>(jobs, "PlainAsync", name));
            Assert.Equal(calls, await Task.WhenAll(tasks).WaitAsync(Patience));
            Assert.Equal("abc", Field<string>(jobs, "Order"));
        }
    }

    [Theory]
    [InlineData("UrgentAsync", "fifo", "a FIFO queue, but its calls give a priority")]
    [InlineData("NoDelayAsync", "later", "a delay queue, but its calls give neither a delay nor a dedupe key, which needs a FIFO or priority queue")]
    [InlineData("DedupeOnFifoAsync", "fifo", "a FIFO queue, but its calls give a dedupe key ([Queued(DedupeKey = ...)]), which needs a deduplicating queue (InvocationQueue.Deduplicating(...))")]
    public void MismatchedQueueKindFailsTheFirstCallNamingBoth(string method, string queue, string fragment)
    {
        var fake = new TestClock();
        var runtime = NewRuntime(fake)
            .RegisterQueue("fifo", InvocationQueue.Fifo())
            .RegisterQueue("later", InvocationQueue.Delayed(timeProvider: fake));
        using (ThrottleRuntime.Use(runtime))
        {
            var error = Assert.Throws<InvalidOperationException>(() => { _ = Call<Task<string>>(NewJobs(), method, "x"); });
            Assert.Contains($"Kinds.Jobs.{method} uses the queue '{queue}'", error.Message, StringComparison.Ordinal);
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task EachKindRefusesWhatItsCallsDoNotGive()
    {
        static ValueTask<int> Work(int value, CancellationToken cancellationToken) => new(value);
        var fake = new TestClock();
        await using var priority = new InvocationQueue();
        await using var fifo = InvocationQueue.Fifo();
        await using var delayed = InvocationQueue.Delayed(timeProvider: fake);
        await using var dedupe = InvocationQueue.Deduplicating();

        Assert.Equal(QueueKind.Priority, priority.Kind);
        Assert.Equal(QueueKind.Priority, InvocationQueue.Priority().Kind);
        Assert.Equal(1, await priority.EnqueueAsync(1, Work, 3, default));
        Assert.Equal(2, await fifo.EnqueueAsync(2, Work, 0, default));
        Assert.Equal("priority", Assert.Throws<ArgumentOutOfRangeException>(() => { _ = fifo.EnqueueAsync(2, Work, 1, default); }).ParamName);
        Assert.Contains("delay queue", Assert.Throws<InvalidOperationException>(() => { _ = delayed.EnqueueAsync(3, Work, 0, default); }).Message, StringComparison.Ordinal);
        Assert.Contains("deduplicating queue", Assert.Throws<InvalidOperationException>(() => { _ = dedupe.EnqueueAsync(4, Work, 0, default); }).Message, StringComparison.Ordinal);
        Assert.Contains("InvocationQueue.Delayed", Assert.Throws<InvalidOperationException>(() => { _ = priority.EnqueueAsync(5, Work, TimeSpan.Zero, default); }).Message, StringComparison.Ordinal);
        Assert.Contains("InvocationQueue.Deduplicating", Assert.Throws<InvalidOperationException>(() => { _ = fifo.EnqueueAsync(6, Work, "k", default); }).Message, StringComparison.Ordinal);
        Assert.Equal("delay", Assert.Throws<ArgumentOutOfRangeException>(() => { _ = delayed.EnqueueAsync(7, Work, TimeSpan.FromTicks(-1), default); }).ParamName);
        Assert.Equal("dedupeKey", Assert.Throws<ArgumentException>(() => { _ = dedupe.EnqueueAsync(8, Work, "", default); }).ParamName);
        Assert.Equal(9, await delayed.EnqueueAsync(9, Work, TimeSpan.Zero, default).WaitAsync(Patience));
        Assert.Equal(10, await dedupe.EnqueueAsync(10, Work, "k", default).WaitAsync(Patience));
    }

    [Fact]
    public async Task CancelledDelayedCallLeavesTheQueue()
    {
        static ValueTask<int> Work(int value, CancellationToken cancellationToken) => new(value);
        var fake = new TestClock();
        await using var delayed = InvocationQueue.Delayed(maxSize: 1, timeProvider: fake);
        using var cancel = new CancellationTokenSource();
        var call = delayed.EnqueueAsync(1, Work, TimeSpan.FromHours(1), cancel.Token);
        Assert.Equal(1, delayed.Count);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(0, delayed.Count);

        // Its slot is free again: a queue of one takes the next call at once.
        Assert.Equal(2, await delayed.EnqueueAsync(2, Work, TimeSpan.Zero, default).WaitAsync(Patience));
    }

    private static Task<string> Fetch(object jobs, int id, string value, CancellationToken cancellationToken = default) =>
        Call<Task<string>>(jobs, "FetchAsync", Activator.CreateInstance(s_assembly.Value.GetType("Kinds.Request")!, id, value), cancellationToken);

    private static T Field<T>(object target, string name) => (T)target.GetType().GetField(name)!.GetValue(target)!;

    private static ThrottleRuntime NewRuntime(TestClock fake) => new(new ThrottleRuntimeOptions { TimeProvider = fake });

    private static object NewJobs() => Activator.CreateInstance(s_assembly.Value.GetType("Kinds.Jobs")!)!;
}
