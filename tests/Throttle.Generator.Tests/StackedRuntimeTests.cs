using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using System.Threading.Tasks;
using Polly.CircuitBreaker;
using Throttle.Infrastructure;
using Throttle.Testing;
using Xunit;

namespace Throttle.Generator.Tests;

/// <summary>
/// Compiles methods carrying [Queued], [CircuitBreaker], [Retry], [DistributedSemaphore] and stacks of them, loads the
/// result next to the test's runtime and checks each layer and each pair's interaction under a fake clock.
/// </summary>
public sealed class StackedRuntimeTests
{
    private const string Source = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Throttle;

        namespace Stacked;

        public sealed class Gate
        {
            private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
            private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
            public int Running;
            public int MaxRunning;
            public Task Entered => _entered.Task;
            public Task WaitAsync() => _open.Task;
            public void Open() => _open.TrySetResult();

            public void Enter()
            {
                var running = Interlocked.Increment(ref Running);
                MaxRunning = Math.Max(MaxRunning, running);
                _entered.TrySetResult();
            }
        }

        public sealed partial class Api
        {
            public Gate Gate { get; } = new();
            public int Calls;
            public int FailuresLeft;
            public string Order = "";

            [Queued(Workers = 1, PriorityParameter = nameof(priority))]
            public partial Task<string> QueuedAsync(string name, int priority);
            private async Task<string> QueuedCoreAsync(string name, int priority)
            {
                Gate.Enter();
                await Gate.WaitAsync();
                Order += name;
                Interlocked.Decrement(ref Gate.Running);
                return name;
            }

            [Queued]
            public partial Task QueuedFailAsync();
            private Task QueuedFailCoreAsync() => throw new InvalidOperationException("queued boom");

            [CircuitBreaker(FailureThreshold = 2, BreakSeconds = 30, Handles = new[] { typeof(InvalidOperationException) })]
            public partial Task<int> BreakerAsync(string kind);
            private Task<int> BreakerCoreAsync(string kind)
            {
                Interlocked.Increment(ref Calls);
                return kind switch
                {
                    "handled" => throw new InvalidOperationException("handled"),
                    "unhandled" => throw new ArgumentException("unhandled"),
                    _ => Task.FromResult(1),
                };
            }

            [Retry(MaxRetries = 2, BaseDelaySeconds = 1, Jitter = false, Handles = new[] { typeof(TimeoutException) })]
            public partial int RetrySync();
            private int RetrySyncCore()
            {
                Interlocked.Increment(ref Calls);
                if (FailuresLeft-- > 0)
                {
                    throw new TimeoutException("try again");
                }

                return Calls;
            }

            [DistributedSemaphore("stacked-gate", 1, AcquireTimeoutSeconds = 60)]
            public partial Task<string> GuardedAsync(string name, bool fail);
            private async Task<string> GuardedCoreAsync(string name, bool fail)
            {
                Gate.Enter();
                await Gate.WaitAsync();
                Interlocked.Decrement(ref Gate.Running);
                return fail ? throw new InvalidOperationException("guarded boom") : name;
            }

            // An open circuit must not consume a rate-limit permit.
            [CircuitBreaker(FailureThreshold = 1, BreakSeconds = 60)]
            [RateLimit(5, Per = 100)]
            public partial Task<int> BreakerThenLimitAsync();
            private Task<int> BreakerThenLimitCoreAsync()
            {
                Interlocked.Increment(ref Calls);
                throw new InvalidOperationException("always");
            }

            // Each retry takes a new permit.
            [Retry(MaxRetries = 2, BaseDelaySeconds = 1, Jitter = false)]
            [RateLimit(10, Per = 100)]
            public partial ValueTask<int> RetryThenLimitAsync();
            private ValueTask<int> RetryThenLimitCoreAsync()
            {
                Interlocked.Increment(ref Calls);
                throw new InvalidOperationException("always");
            }
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(Load);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task QueuedRunsOneAtATimeInPriorityOrder()
    {
        using var scope = NewRuntime(out _, out _);
        var api = NewApi();
        var gate = Get<object>(api, "Gate");
        var first = Call<Task<string>>(api, "QueuedAsync", "a", 0);
        await Get<Task>(gate, "Entered").WaitAsync(Patience);
        var low = Call<Task<string>>(api, "QueuedAsync", "l", 1);
        var high = Call<Task<string>>(api, "QueuedAsync", "h", 9);
        Assert.False(low.IsCompleted);
        gate.GetType().GetMethod("Open")!.Invoke(gate, null);
        Assert.Equal(["a", "h", "l"], await Task.WhenAll(first, high, low).WaitAsync(Patience));
        Assert.Equal("ahl", Field<string>(api, "Order"));
        Assert.Equal(1, Field<int>(gate, "MaxRunning"));
    }

    [Fact]
    public async Task QueuedExceptionReachesTheCaller()
    {
        using var scope = NewRuntime(out _, out _);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => Call<Task>(NewApi(), "QueuedFailAsync").WaitAsync(Patience));
        Assert.Equal("queued boom", failure.Message);
    }

    [Fact]
    public async Task CircuitBreakerOpensOnHandledFailuresAndRecoversAfterTheBreak()
    {
        using var scope = NewRuntime(out var fake, out var runtime);
        var api = NewApi();
        await Assert.ThrowsAsync<ArgumentException>(() => Call<Task<int>>(api, "BreakerAsync", "unhandled"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Call<Task<int>>(api, "BreakerAsync", "handled"));
        Assert.Equal(CircuitState.Closed, runtime.GetCircuitBreaker("Stacked.Api.BreakerAsync").State);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Call<Task<int>>(api, "BreakerAsync", "handled"));
        Assert.Equal(CircuitState.Open, runtime.GetCircuitBreaker("Stacked.Api.BreakerAsync").State);

        var callsBefore = Field<int>(api, "Calls");
        await Assert.ThrowsAsync<BrokenCircuitException>(() => Call<Task<int>>(api, "BreakerAsync", "ok"));
        Assert.Equal(callsBefore, Field<int>(api, "Calls"));

        fake.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await Call<Task<int>>(api, "BreakerAsync", "ok").WaitAsync(Patience));
        Assert.Equal(CircuitState.Closed, runtime.GetCircuitBreaker("Stacked.Api.BreakerAsync").State);
    }

    [Fact]
    public async Task RetryOnASynchronousMethodWaitsOnTheClock()
    {
        using var scope = NewRuntime(out var fake, out var runtime);
        var api = NewApi();
        SetField(api, "FailuresLeft", 2);
        var call = Task.Run(() =>
        {
            using var inner = ThrottleRuntime.Use(runtime);
            return Call<int>(api, "RetrySync");
        });

        // Delays without jitter: 1 s, then 2 s. Each retry waits on a timer of the runtime's clock.
        Assert.True(await fake.WaitForTimerAsync());
        Assert.Equal(1, Field<int>(api, "Calls"));
        fake.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await fake.WaitForTimerAsync());
        Assert.Equal(2, Field<int>(api, "Calls"));
        fake.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(3, await call.WaitAsync(Patience));
    }

    [Fact]
    public async Task SemaphoreBoundsConcurrencyAndReleasesOnFailure()
    {
        using var scope = NewRuntime(out _, out _);
        var api = NewApi();
        var gate = Get<object>(api, "Gate");
        var failing = Call<Task<string>>(api, "GuardedAsync", "x", true);
        await Get<Task>(gate, "Entered").WaitAsync(Patience);
        var waiting = Call<Task<string>>(api, "GuardedAsync", "y", false);
        Assert.False(waiting.IsCompleted);
        gate.GetType().GetMethod("Open")!.Invoke(gate, null);
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.WaitAsync(Patience));
        Assert.Equal("y", await waiting.WaitAsync(Patience));
        Assert.Equal(1, Field<int>(gate, "MaxRunning"));
    }

    [Fact]
    public async Task OpenCircuitConsumesNoRateLimitPermit()
    {
        using var scope = NewRuntime(out _, out _);
        var api = NewApi();
        await Assert.ThrowsAsync<InvalidOperationException>(() => Call<Task<int>>(api, "BreakerThenLimitAsync"));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => Call<Task<int>>(api, "BreakerThenLimitAsync"));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => Call<Task<int>>(api, "BreakerThenLimitAsync"));
        Assert.Equal(1, Field<int>(api, "Calls"));
        var stats = await RateLimitSite(api, "BreakerThenLimitAsync").Limiter.GetStatsAsync("Stacked.Api.BreakerThenLimitAsync");
        Assert.Equal(4, stats.AvailableTokens, precision: 6);
    }

    [Fact]
    public async Task EachRetryTakesANewPermit()
    {
        using var scope = NewRuntime(out var fake, out _);
        var api = NewApi();
        var call = Call<ValueTask<int>>(api, "RetryThenLimitAsync").AsTask();
        Assert.True(await fake.WaitForTimerAsync());
        fake.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await fake.WaitForTimerAsync());
        fake.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<InvalidOperationException>(() => call.WaitAsync(Patience));
        Assert.Equal(3, Field<int>(api, "Calls"));
        var stats = await RateLimitSite(api, "RetryThenLimitAsync").Limiter.GetStatsAsync("Stacked.Api.RetryThenLimitAsync");

        // Three permits taken; the retries' waits (1 s + 2 s at 0.1 token/s) gave back at most 0.3 + rounding.
        Assert.InRange(stats.AvailableTokens, 7, 7.31);
    }

    private static IDisposable NewRuntime(out TestClock fake, out ThrottleRuntime runtime)
    {
        fake = new TestClock();
        runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = fake });
        return ThrottleRuntime.Use(runtime);
    }

    private static RateLimitSite RateLimitSite(object api, string method) =>
        (RateLimitSite)api.GetType().GetField("__throttleRateLimit_" + method, BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;

    private static object NewApi() => Activator.CreateInstance(s_assembly.Value.GetType("Stacked.Api")!)!;

    private static T Get<T>(object target, string property) => (T)target.GetType().GetProperty(property)!.GetValue(target)!;

    private static T Field<T>(object target, string field) => (T)target.GetType().GetField(field)!.GetValue(target)!;

    private static void SetField(object target, string field, object value) => target.GetType().GetField(field)!.SetValue(target, value);

    private static T Call<T>(object target, string name, params object?[] arguments) =>
        (T)target.GetType().GetMethod(name)!.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null)!;

    private static Assembly Load()
    {
        var run = GeneratorHarness.Run(Source);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, run.Describe(run.GeneratorDiagnostics));
        Assert.True(run.OutputDiagnostics.Count == 0, run.Describe(run.OutputDiagnostics));
        using var stream = new MemoryStream();
        var emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, run.Describe(emitted.Diagnostics));
        stream.Position = 0;
        var context = new AssemblyLoadContext("Throttle.Generator.Tests.Stacked", isCollectible: true);
        return context.LoadFromStream(stream);
    }
}
