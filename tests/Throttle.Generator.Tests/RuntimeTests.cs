using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Testing;
using Xunit;

namespace Throttle.Generator.Tests;

/// <summary>
/// Compiles generated code into an assembly, loads it next to the test's own Throttle.Runtime and calls it under a
/// runtime with a fake clock: the wrappers must wait, partition, propagate and reject as documented.
/// </summary>
public sealed class RuntimeTests
{
    private const string Source = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Throttle;

        namespace Live;

        public sealed record Order(string? TenantId);

        public sealed partial class Api
        {
            private int _calls;

            [RateLimit(2, Per = 1)]
            public partial Task<int> NextAsync();
            private Task<int> NextCoreAsync() => Task.FromResult(Interlocked.Increment(ref _calls));

            [RateLimit(1, Per = 1, Key = nameof(user))]
            public partial ValueTask<string> ForUserAsync(string? user);
            private ValueTask<string> ForUserCoreAsync(string? user) => new(user!);

            [RateLimit(1, Per = 1, Key = "order.TenantId")]
            public partial Task<string> SubmitAsync(Order? order);
            private Task<string> SubmitCoreAsync(Order? order) => Task.FromResult(order!.TenantId!);

            [RateLimit(1, Per = 1)]
            public partial Task FailAsync(bool synchronously);
            private Task FailCoreAsync(bool synchronously) =>
                synchronously ? throw new InvalidOperationException("sync boom") : Task.FromException(new InvalidOperationException("async boom"));

            [RateLimit(1, Per = 10)]
            public partial Task<int> SlowAsync(CancellationToken cancellationToken);
            private Task<int> SlowCoreAsync(CancellationToken cancellationToken) => Task.FromResult(7);

            [RateLimit(1, Per = 4, MaxWaitSeconds = 0)]
            public partial Task<int> RejectAsync();
            private Task<int> RejectCoreAsync() => Task.FromResult(1);

            [RateLimit(1, Per = 4, MaxWaitSeconds = 0)]
            public partial int RejectSync();
            private int RejectSyncCore() => 1;

            [RateLimit(1, Per = 2)]
            public partial int Double(int x);
            private int DoubleCore(int x) => x * 2;

            [RateLimit(1, Per = 2)]
            public partial void Touch();
            private void TouchCore() => _calls++;

            [RateLimit(Limiter = "shared")]
            public partial Task<string> SharedAAsync();
            private Task<string> SharedACoreAsync() => Task.FromResult("A");

            [RateLimit(Limiter = "shared")]
            public partial Task<string> SharedBAsync();
            private Task<string> SharedBCoreAsync() => Task.FromResult("B");

            [RateLimit(1, Per = 1)]
            public partial ValueTask<T> EchoAsync<T>(T value) where T : notnull;
            private ValueTask<T> EchoCoreAsync<T>(T value) where T : notnull => new(value);

            public int Calls => _calls;
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(Load);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task BurstCompletesSynchronouslyThenWaitsForTheClock()
    {
        var (fake, _, scope) = NewRuntime();
        using (scope)
        {
            var api = NewApi();
            var first = Call<Task<int>>(api, "NextAsync");
            var second = Call<Task<int>>(api, "NextAsync");
            Assert.True(first.IsCompletedSuccessfully);
            Assert.True(second.IsCompletedSuccessfully);
            Assert.Equal(1, await first);
            Assert.Equal(2, await second);

            var third = Call<Task<int>>(api, "NextAsync");
            Assert.False(third.IsCompleted);

            // Its wait is on the clock (a timer due in 500 ms): 400 ms do not release it, 100 ms more do.
            Assert.True(await fake.WaitForTimerAsync());
            fake.Advance(TimeSpan.FromMilliseconds(400));
            Assert.False(third.IsCompleted);
            fake.Advance(TimeSpan.FromMilliseconds(100));
            Assert.Equal(3, await third.WaitAsync(Patience));
        }
    }

    [Fact]
    public async Task KeyedMethodsPartitionByKey()
    {
        var (fake, _, scope) = NewRuntime();
        using (scope)
        {
            var api = NewApi();
            Assert.True(CallValueTask<string>(api, "ForUserAsync", "alice").IsCompletedSuccessfully);
            Assert.True(CallValueTask<string>(api, "ForUserAsync", "bob").IsCompletedSuccessfully);
            var again = CallValueTask<string>(api, "ForUserAsync", "alice");
            Assert.False(again.IsCompleted);
            fake.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal("alice", await again.WaitAsync(Patience));
        }
    }

    [Fact]
    public async Task KeyMemberPathPartitionsByMember()
    {
        var (fake, _, scope) = NewRuntime();
        using (scope)
        {
            var api = NewApi();
            Assert.True(Call<Task<string>>(api, "SubmitAsync", NewOrder("t1")).IsCompletedSuccessfully);
            Assert.True(Call<Task<string>>(api, "SubmitAsync", NewOrder("t2")).IsCompletedSuccessfully);
            var again = Call<Task<string>>(api, "SubmitAsync", NewOrder("t1"));
            Assert.False(again.IsCompleted);
            fake.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal("t1", await again.WaitAsync(Patience));
        }
    }

    [Fact]
    public void NullKeyThrowsArgumentExceptionNamingTheParameter()
    {
        var (_, _, scope) = NewRuntime();
        using (scope)
        {
            var api = NewApi();
            var direct = Assert.Throws<ArgumentException>(() => { _ = CallValueTask<string>(api, "ForUserAsync", new object?[] { null }); });
            Assert.Equal("user", direct.ParamName);

            var nullOrder = Assert.Throws<ArgumentException>(() => { _ = Call<Task<string>>(api, "SubmitAsync", new object?[] { null }); });
            Assert.Equal("order", nullOrder.ParamName);
            Assert.Contains("order.TenantId", nullOrder.Message, StringComparison.Ordinal);

            var nullMember = Assert.Throws<ArgumentException>(() => { _ = Call<Task<string>>(api, "SubmitAsync", NewOrder(null)); });
            Assert.Equal("order", nullMember.ParamName);
        }
    }

    [Fact]
    public async Task ExceptionsFromTheImplementationPropagate()
    {
        var (fake, _, scope) = NewRuntime();
        using (scope)
        {
            var api = NewApi();
            var sync = Assert.Throws<InvalidOperationException>(() => { _ = Call<Task>(api, "FailAsync", true); });
            Assert.Equal("sync boom", sync.Message);

            // The next call waits for a permit, then the implementation's faulted task surfaces through the wrapper's.
            var waiting = Call<Task>(api, "FailAsync", false);
            Assert.False(waiting.IsCompleted);
            fake.Advance(TimeSpan.FromSeconds(1));
            var async = await Assert.ThrowsAsync<InvalidOperationException>(() => waiting.WaitAsync(Patience));
            Assert.Equal("async boom", async.Message);
        }
    }

    [Fact]
    public async Task CancellingTheTokenCancelsAWaitingCall()
    {
        var (_, _, scope) = NewRuntime();
        using (scope)
        {
            var api = NewApi();
            using var cts = new CancellationTokenSource();
            Assert.Equal(7, await Call<Task<int>>(api, "SlowAsync", cts.Token));
            var waiting = Call<Task<int>>(api, "SlowAsync", cts.Token);
            Assert.False(waiting.IsCompleted);
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Patience));
        }
    }

    [Fact]
    public async Task ZeroMaxWaitRejectsWithRetryAfter()
    {
        var (_, _, scope) = NewRuntime();
        using (scope)
        {
            var api = NewApi();
            Assert.Equal(1, await Call<Task<int>>(api, "RejectAsync"));
            var rejected = await Assert.ThrowsAsync<RateLimitRejectedException>(() => Call<Task<int>>(api, "RejectAsync").WaitAsync(Patience));
            Assert.Equal(4, rejected.RetryAfter.TotalSeconds, precision: 3);
            Assert.Equal("Live.Api.RejectAsync", rejected.Key);

            Assert.Equal(1, Call<int>(api, "RejectSync"));
            var syncRejected = Assert.Throws<RateLimitRejectedException>(() => Call<int>(api, "RejectSync"));
            Assert.Equal(4, syncRejected.RetryAfter.TotalSeconds, precision: 3);
        }
    }

    [Fact]
    public async Task SyncMethodsBlockUntilAPermitIsFree()
    {
        var (fake, runtime, scope) = NewRuntime();
        using (scope)
        {
            var api = NewApi();
            Assert.Equal(42, Call<int>(api, "Double", 21));
            Call<object?>(api, "Touch");
            Assert.Equal(1, (int)api.GetType().GetProperty("Calls")!.GetValue(api)!);

            // The second call blocks its thread on a timer for the next permit (1 per 2 s); once it waits, 2 s release it.
            var blocked = Task.Run(() =>
            {
                using var inner = ThrottleRuntime.Use(runtime);
                return Call<int>(api, "Double", 5);
            });
            Assert.True(await fake.WaitForTimerAsync());
            Assert.False(blocked.IsCompleted);
            fake.Advance(TimeSpan.FromSeconds(2));

            Assert.Equal(10, await blocked.WaitAsync(Patience));
        }
    }

    [Fact]
    public async Task NamedLimiterIsSharedAcrossMethods()
    {
        var (fake, runtime, scope) = NewRuntime();
        runtime.RegisterLimiter("shared", new TokenBucketLimiter(1, 5, storage: runtime.Storage, scope: "shared"));
        using (scope)
        {
            var api = NewApi();
            Assert.Equal("A", await Call<Task<string>>(api, "SharedAAsync").WaitAsync(Patience));
            var b = Call<Task<string>>(api, "SharedBAsync");
            Assert.False(b.IsCompleted, "Methods naming the same limiter share its permits.");
            fake.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal("B", await b.WaitAsync(Patience));
        }
    }

    [Fact]
    public async Task GenericMethodWorks()
    {
        var (fake, _, scope) = NewRuntime();
        using (scope)
        {
            var api = NewApi();
            var echo = api.GetType().GetMethod("EchoAsync")!;
            var first = (ValueTask<string>)echo.MakeGenericMethod(typeof(string)).Invoke(api, ["hello"])!;
            Assert.Equal("hello", await first);
            var second = ((ValueTask<int>)echo.MakeGenericMethod(typeof(int)).Invoke(api, [5])!).AsTask();
            Assert.False(second.IsCompleted, "Every instantiation shares the method's limit.");
            fake.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(5, await second.WaitAsync(Patience));
        }
    }

    [Fact]
    public void GeneratedCodeBindsToTheTestsRuntime()
    {
        var runtimeReference = s_assembly.Value.GetReferencedAssemblies().Single(a => a.Name == "Throttle.Runtime");
        Assert.Equal(typeof(ThrottleRuntime).Assembly.GetName().Version, runtimeReference.Version);
        var siteField = s_assembly.Value.GetType("Live.Api")!.GetField("__throttleRateLimit_NextAsync", BindingFlags.NonPublic | BindingFlags.Static)!;
        Assert.Same(typeof(Throttle.Infrastructure.RateLimitSite), siteField.FieldType);
    }

    private static (TestClock Fake, ThrottleRuntime Runtime, IDisposable Scope) NewRuntime()
    {
        var fake = new TestClock();
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = fake });
        return (fake, runtime, ThrottleRuntime.Use(runtime));
    }

    private static object NewApi() => Activator.CreateInstance(s_assembly.Value.GetType("Live.Api")!)!;

    private static object NewOrder(string? tenant) => Activator.CreateInstance(s_assembly.Value.GetType("Live.Order")!, tenant)!;

    private static T Call<T>(object target, string name, params object?[] arguments) =>
        (T)target.GetType().GetMethod(name)!.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null)!;

    private static Task<T> CallValueTask<T>(object target, string name, params object?[] arguments) =>
        Call<ValueTask<T>>(target, name, arguments).AsTask();

    private static Assembly Load()
    {
        var run = GeneratorHarness.Run(Source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.OutputDiagnostics.Count == 0, run.Describe(run.OutputDiagnostics));
        using var stream = new MemoryStream();
        var emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, run.Describe(emitted.Diagnostics));
        stream.Position = 0;

        // A collectible context of its own; Throttle.Runtime and the BCL resolve from the default context, so the
        // generated code and the test share one ThrottleRuntime type (and its AsyncLocal).
        var context = new AssemblyLoadContext("Throttle.Generator.Tests.Live", isCollectible: true);
        return context.LoadFromStream(stream);
    }
}
