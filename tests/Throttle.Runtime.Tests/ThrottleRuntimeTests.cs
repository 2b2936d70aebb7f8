using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Infrastructure;
using Throttle.Limiters;
using Throttle.Storage;
using Xunit;
using Throttle.Testing;

namespace Throttle.Tests;

public sealed class ThrottleRuntimeTests
{
    [Fact]
    public void DefaultConstructor_InMemoryOnSystemClock()
    {
        var runtime = new ThrottleRuntime();
        Assert.Same(TimeProvider.System, runtime.TimeProvider);
        Assert.Equal(MemoryStorage.DefaultMaxSize, ((MemoryStorage)runtime.Storage).MaxSize);
        Assert.Same(TimeProvider.System, runtime.Storage.TimeProvider);
    }

    [Fact]
    public void Options_TimeProvider_IsUsedForDefaultStorage()
    {
        var clock = new TestClock();
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = clock, MaxKeys = 12 });
        Assert.Same(clock, runtime.TimeProvider);
        Assert.Same(clock, runtime.Storage.TimeProvider);
        Assert.Equal(12, ((MemoryStorage)runtime.Storage).MaxSize);
    }

    [Fact]
    public void Options_Storage_IsUsed_AndItsClockIsTheDefault()
    {
        var clock = new TestClock();
        var storage = new MemoryStorage(5, clock);
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { Storage = storage });
        Assert.Same(storage, runtime.Storage);
        Assert.Same(clock, runtime.TimeProvider);
    }

    [Fact]
    public async Task SiteLimiters_CoverEveryStrategy_OnTheRuntimesStorage()
    {
        var clock = new TestClock();
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = clock });
        var sliding = new RateLimitSite("Tests.Sliding", new Throttle.Policies.RateLimitOptions { Rate = 3, Per = 2, Strategy = RateLimitStrategy.SlidingWindow, MaxWaitSeconds = 0 });
        var leaky = new RateLimitSite("Tests.Leaky", new Throttle.Policies.RateLimitOptions { Rate = 6, Per = 2, Burst = 4, Strategy = RateLimitStrategy.LeakyBucket, MaxWaitSeconds = 0 });
        var leakyDefault = new RateLimitSite("Tests.LeakyDefault", new Throttle.Policies.RateLimitOptions { Rate = 6, Per = 2, Strategy = RateLimitStrategy.LeakyBucket, MaxWaitSeconds = 0 });
        using (ThrottleRuntime.Use(runtime))
        {
            var window = Assert.IsType<SlidingWindowLimiter>(sliding.Limiter);
            Assert.Equal((3.0, 2.0, "Tests.Sliding"), (window.Rate, window.Per, window.Scope));
            Assert.Same(runtime.Storage, window.Storage);

            // Leaky bucket: leaks rate / per per second; holds Burst, or rate when Burst is 0.
            var bucket = Assert.IsType<LeakyBucketLimiter>(leaky.Limiter);
            Assert.Equal((3.0, 4.0), (bucket.Rate, bucket.Capacity));
            Assert.Equal(6.0, Assert.IsType<LeakyBucketLimiter>(leakyDefault.Limiter).Capacity);

            for (var i = 0; i < 3; i++)
            {
                await sliding.AcquireAsync("k", CancellationToken.None);
            }

            var ex = await Assert.ThrowsAsync<RateLimitRejectedException>(() => sliding.AcquireAsync("k", CancellationToken.None).AsTask());
            Assert.Equal(TimeSpan.FromSeconds(2), ex.RetryAfter);
        }
    }

    [Fact]
    public void Constructor_NullOptions_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new ThrottleRuntime(null!));
    }

    [Fact]
    public void Use_OverridesCurrent_AndRestoresOnDispose()
    {
        var before = ThrottleRuntime.Current;
        var runtime = new ThrottleRuntime();
        using (ThrottleRuntime.Use(runtime))
        {
            Assert.Same(runtime, ThrottleRuntime.Current);
        }

        Assert.Same(before, ThrottleRuntime.Current);
        Assert.NotSame(runtime, ThrottleRuntime.Current);
    }

    [Fact]
    public void Use_Nested_RestoresEachLevel()
    {
        var before = ThrottleRuntime.Current;
        var outer = new ThrottleRuntime();
        var inner = new ThrottleRuntime();

        var outerScope = ThrottleRuntime.Use(outer);
        Assert.Same(outer, ThrottleRuntime.Current);
        var innerScope = ThrottleRuntime.Use(inner);
        Assert.Same(inner, ThrottleRuntime.Current);

        innerScope.Dispose();
        Assert.Same(outer, ThrottleRuntime.Current);

        // Disposing twice does not pop another level.
        innerScope.Dispose();
        Assert.Same(outer, ThrottleRuntime.Current);

        outerScope.Dispose();
        Assert.Same(before, ThrottleRuntime.Current);
    }

    [Fact]
    public async Task Use_FlowsIntoAwaitsAndChildTasks()
    {
        var runtime = new ThrottleRuntime();
        using (ThrottleRuntime.Use(runtime))
        {
            await Task.Yield();
            Assert.Same(runtime, ThrottleRuntime.Current);
            Assert.Same(runtime, await Task.Run(() => ThrottleRuntime.Current));
        }
    }

    [Fact]
    public async Task Use_IsNotSeenByAParallelFlow()
    {
        var runtime = new ThrottleRuntime();
        var scopeEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var observed = new TaskCompletionSource<ThrottleRuntime>(TaskCreationOptions.RunContinuationsAsynchronously);

        // A flow started before the scope, running while the scope is active.
        var parallel = Task.Run(async () =>
        {
            await scopeEntered.Task;
            observed.SetResult(ThrottleRuntime.Current);
        });

        using (ThrottleRuntime.Use(runtime))
        {
            scopeEntered.SetResult();
            var seen = await observed.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotSame(runtime, seen);
            Assert.Same(runtime, ThrottleRuntime.Current);

            // A flow that does not inherit this one's context does not see it either.
            Task<ThrottleRuntime> unflowed;
            using (ExecutionContext.SuppressFlow())
            {
                unflowed = Task.Run(() => ThrottleRuntime.Current);
            }

            Assert.NotSame(runtime, await unflowed);
        }

        await parallel;
    }

    [Fact]
    public async Task Use_InsideChildFlow_DoesNotLeakToParent()
    {
        var before = ThrottleRuntime.Current;
        var runtime = new ThrottleRuntime();
        await Task.Run(() =>
        {
            ThrottleRuntime.Use(runtime);
            Assert.Same(runtime, ThrottleRuntime.Current);
        });

        Assert.Same(before, ThrottleRuntime.Current);
    }

    [Fact]
    public void Use_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => ThrottleRuntime.Use(null!));
    }

    [Fact]
    public void RegisterLimiter_GetLimiter_TryGetLimiter()
    {
        var runtime = new ThrottleRuntime();
        var limiter = new TokenBucketLimiter(3, storage: runtime.Storage);

        Assert.Same(runtime, runtime.RegisterLimiter("api", limiter));
        Assert.Same(limiter, runtime.GetLimiter("api"));
        Assert.True(runtime.TryGetLimiter("api", out var found));
        Assert.Same(limiter, found);

        Assert.False(runtime.TryGetLimiter("API", out var missing));
        Assert.Null(missing);

        // Registrations are per runtime.
        Assert.False(new ThrottleRuntime().TryGetLimiter("api", out _));
    }

    [Fact]
    public void RegisterLimiter_Duplicate_Throws_AndKeepsTheFirst()
    {
        var runtime = new ThrottleRuntime();
        var first = new TokenBucketLimiter(3);
        runtime.RegisterLimiter("api", first);

        var ex = Assert.Throws<ArgumentException>(() => runtime.RegisterLimiter("api", new TokenBucketLimiter(5)));
        Assert.Equal("name", ex.ParamName);
        Assert.Contains("'api'", ex.Message, StringComparison.Ordinal);
        Assert.Same(first, runtime.GetLimiter("api"));
    }

    [Fact]
    public void GetLimiter_Unknown_ThrowsNamingTheName()
    {
        var runtime = new ThrottleRuntime();
        var ex = Assert.Throws<InvalidOperationException>(() => runtime.GetLimiter("payments-v2"));
        Assert.Contains("payments-v2", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void NullOrEmptyName_Throws(string? name)
    {
        var runtime = new ThrottleRuntime();
        var limiter = new TokenBucketLimiter(1);
        Assert.Equal("name", Assert.ThrowsAny<ArgumentException>(() => runtime.RegisterLimiter(name!, limiter)).ParamName);
        Assert.Equal("name", Assert.ThrowsAny<ArgumentException>(() => runtime.GetLimiter(name!)).ParamName);
        Assert.Equal("name", Assert.ThrowsAny<ArgumentException>(() => runtime.TryGetLimiter(name!, out _)).ParamName);
    }

    [Fact]
    public void RegisterLimiter_NullLimiter_Throws()
    {
        var runtime = new ThrottleRuntime();
        Assert.Equal("limiter", Assert.Throws<ArgumentNullException>(() => runtime.RegisterLimiter("x", (Throttle.Limiters.ThrottleLimiter)null!)).ParamName);
        Assert.False(runtime.TryGetLimiter("x", out _));
    }
}

[Collection(GlobalRuntimeCollection.Name)]
public sealed class ThrottleRuntimeGlobalTests
{
    [Fact]
    public void Current_WithoutConfigure_IsADefaultInMemoryRuntime()
    {
        using var restore = new ConfiguredRuntimeRestorer();
        ConfiguredRuntimeRestorer.ClearConfigured();

        var current = ThrottleRuntime.Current;
        Assert.NotNull(current);
        Assert.Same(current, ThrottleRuntime.Current);
        Assert.Same(TimeProvider.System, current.TimeProvider);
        Assert.Equal(MemoryStorage.DefaultMaxSize, ((MemoryStorage)current.Storage).MaxSize);
    }

    [Fact]
    public async Task Configure_SetsProcessWideRuntime_AndUseStillOverrides()
    {
        using var restore = new ConfiguredRuntimeRestorer();
        ConfiguredRuntimeRestorer.ClearConfigured();
        var defaultRuntime = ThrottleRuntime.Current;

        var configured = new ThrottleRuntime();
        ThrottleRuntime.Configure(configured);
        Assert.Same(configured, ThrottleRuntime.Current);
        Assert.NotSame(defaultRuntime, ThrottleRuntime.Current);

        var scoped = new ThrottleRuntime();
        using (ThrottleRuntime.Use(scoped))
        {
            Assert.Same(scoped, ThrottleRuntime.Current);
        }

        Assert.Same(configured, ThrottleRuntime.Current);

        // Process-wide: another flow sees it too.
        Task<ThrottleRuntime> unflowed;
        using (ExecutionContext.SuppressFlow())
        {
            unflowed = Task.Run(() => ThrottleRuntime.Current);
        }

        Assert.Same(configured, await unflowed);

        var replacement = new ThrottleRuntime();
        ThrottleRuntime.Configure(replacement);
        Assert.Same(replacement, ThrottleRuntime.Current);
    }

    [Fact]
    public void Configure_Null_Throws()
    {
        using var restore = new ConfiguredRuntimeRestorer();
        var before = ThrottleRuntime.Current;
        Assert.Throws<ArgumentNullException>(() => ThrottleRuntime.Configure(null!));
        Assert.Same(before, ThrottleRuntime.Current);
    }
}
