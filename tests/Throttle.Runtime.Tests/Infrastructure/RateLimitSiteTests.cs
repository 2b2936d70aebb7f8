using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Infrastructure;
using Throttle.Limiters;
using Throttle.Policies;
using Throttle.Storage;
using Xunit;
using Throttle.Testing;

namespace Throttle.Tests.Infrastructure;

public sealed class RateLimitSiteTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);

    private static RateLimitSite Site(
        double rate = 2, double per = 1, double burst = 0, string? scope = null, string? limiterName = null,
        double maxWaitSeconds = double.PositiveInfinity, RateLimitStrategy strategy = RateLimitStrategy.TokenBucket, string id = "Ns.Type.Method()") =>
        new(id, new RateLimitOptions
        {
            Rate = rate, Per = per, Burst = burst, Strategy = strategy, Scope = scope, Limiter = limiterName, MaxWaitSeconds = maxWaitSeconds,
        });

    private static (TestClock Clock, ThrottleRuntime Runtime) FakeRuntime()
    {
        var clock = new TestClock();
        return (clock, new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = clock, MaxKeys = 100 }));
    }

    [Fact]
    public void Constructor_ExposesSettings()
    {
        var site = Site(rate: 6, per: 2, burst: 9, scope: "shared", maxWaitSeconds: 2.5, id: "A.B()");
        Assert.Equal("A.B()", site.Id);
        Assert.Equal(6, site.Rate);
        Assert.Equal(2, site.Per);
        Assert.Equal(9, site.Burst);
        Assert.Equal("shared", site.Scope);
        Assert.Null(site.LimiterName);
        Assert.Equal(TimeSpan.FromSeconds(2.5), site.MaxWait);
        Assert.Equal(RateLimitStrategy.TokenBucket, site.Strategy);
    }

    [Fact]
    public void BurstZero_MeansRate()
    {
        Assert.Equal(7, Site(rate: 7, burst: 0).Burst);
        Assert.Equal(3, Site(rate: 7, burst: 3).Burst);
    }

    [Fact]
    public void Scope_Null_IsTheId()
    {
        Assert.Equal("X.Y(int)", Site(scope: null, id: "X.Y(int)").Scope);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Scope_Blank_Throws(string scope) =>
        Assert.Equal("Scope", Assert.Throws<ArgumentException>(() => Site(scope: scope)).ParamName);

    [Fact]
    public void Options_AreCopied_SoLaterChangesDoNotReachTheSite()
    {
        var options = new RateLimitOptions { Rate = 5 };
        var site = new RateLimitSite("A.B()", options);
        options.Rate = -1;
        Assert.Equal(5, site.Rate);
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(1e300)]
    public void MaxWait_InfiniteOrHuge_IsInfiniteTimeSpan(double seconds)
    {
        Assert.Equal(Timeout.InfiniteTimeSpan, Site(maxWaitSeconds: seconds).MaxWait);
    }

    [Fact]
    public void MaxWait_FromSeconds()
    {
        Assert.Equal(TimeSpan.Zero, Site(maxWaitSeconds: 0).MaxWait);
        Assert.Equal(TimeSpan.FromMilliseconds(250), Site(maxWaitSeconds: 0.25).MaxWait);
        Assert.Equal(TimeSpan.FromMinutes(3), Site(maxWaitSeconds: 180).MaxWait);
    }

    public static TheoryData<double> BadNumbers => new() { 0, -1, double.NaN, double.PositiveInfinity, double.NegativeInfinity };

    [Theory]
    [MemberData(nameof(BadNumbers))]
    public void BadRate_Throws(double value) =>
        Assert.Equal("Rate", Assert.Throws<ArgumentOutOfRangeException>(() => Site(rate: value)).ParamName);

    [Theory]
    [MemberData(nameof(BadNumbers))]
    public void BadPer_Throws(double value) =>
        Assert.Equal("Per", Assert.Throws<ArgumentOutOfRangeException>(() => Site(per: value)).ParamName);

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void BadBurst_Throws(double value) =>
        Assert.Equal("Burst", Assert.Throws<ArgumentOutOfRangeException>(() => Site(burst: value)).ParamName);

    [Theory]
    [InlineData(-0.001)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    public void BadMaxWait_Throws(double value) =>
        Assert.Equal("MaxWaitSeconds", Assert.Throws<ArgumentOutOfRangeException>(() => Site(maxWaitSeconds: value)).ParamName);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void BadId_Throws(string? id) =>
        Assert.Equal("id", Assert.ThrowsAny<ArgumentException>(() => Site(id: id!)).ParamName);

    [Fact]
    public void EmptyLimiterName_Throws() =>
        Assert.Equal("Limiter", Assert.Throws<ArgumentException>(() => Site(limiterName: string.Empty)).ParamName);

    [Fact]
    public void NamedSite_DoesNotValidateNumbers()
    {
        var site = Site(rate: double.NaN, per: double.NaN, burst: double.NaN, limiterName: "api");
        Assert.Equal("api", site.LimiterName);
        Assert.True(double.IsNaN(site.Rate));
    }

    [Fact]
    public async Task TwoRuntimesInParallel_OnFrozenClocks_EachAdmitsExactlyItsOwnBurst()
    {
        // The site's per-runtime binding (and its newest-runtime slot) under threads that switch between two runtimes:
        // each runtime's bucket is its own, so each admits exactly its burst, never the other's.
        const int Burst = 40;
        var site = Site(rate: 1, per: 3600, burst: Burst, maxWaitSeconds: 0);
        var (_, first) = FakeRuntime();
        var (_, second) = FakeRuntime();
        var admitted = new int[2];
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            await go.Task;
            for (var i = 0; i < 200; i++)
            {
                var which = (worker + i) % 2;
                using (ThrottleRuntime.Use(which == 0 ? first : second))
                {
                    try
                    {
                        site.Acquire("k", CancellationToken.None);
                        Interlocked.Increment(ref admitted[which]);
                    }
                    catch (RateLimitRejectedException)
                    {
                    }
                }
            }
        })).ToArray();

        go.SetResult();
        await Task.WhenAll(workers).WaitAsync(Safety);
        Assert.Equal(Burst, admitted[0]);
        Assert.Equal(Burst, admitted[1]);
        Assert.NotSame(site.LimiterOf(first), site.LimiterOf(second));
    }

    [Fact]
    public void Limiter_ResolvedOncePerRuntime()
    {
        var site = Site(rate: 4, per: 2, burst: 3, scope: "s");
        var (_, first) = FakeRuntime();
        var (_, second) = FakeRuntime();

        ThrottleLimiter a;
        using (ThrottleRuntime.Use(first))
        {
            a = site.Limiter;
            Assert.Same(a, site.Limiter);
            var bucket = Assert.IsType<TokenBucketLimiter>(a);
            Assert.Equal(4, bucket.Rate);
            Assert.Equal(2, bucket.Per);
            Assert.Equal(3, bucket.Burst);
            Assert.Equal("s", bucket.Scope);
            Assert.Same(first.Storage, bucket.Storage);
            Assert.Same(first.TimeProvider, bucket.TimeProvider);
        }

        ThrottleLimiter b;
        using (ThrottleRuntime.Use(second))
        {
            b = site.Limiter;
            Assert.NotSame(a, b);
            Assert.Same(second.Storage, ((TokenBucketLimiter)b).Storage);
            Assert.Same(b, site.Limiter);
        }

        using (ThrottleRuntime.Use(first))
        {
            Assert.Same(a, site.Limiter);
        }

        // Another site object with the same id on the same runtime shares the limiter.
        using (ThrottleRuntime.Use(second))
        {
            Assert.Same(b, Site(rate: 4, per: 2, burst: 3, scope: "s").Limiter);
        }
    }

    [Fact]
    public void Limiter_Named_UsesRegisteredLimiter()
    {
        var (_, runtime) = FakeRuntime();
        var registered = new TokenBucketLimiter(1, storage: runtime.Storage, scope: "api");
        runtime.RegisterLimiter("api", registered);
        var site = Site(rate: double.NaN, limiterName: "api");

        using (ThrottleRuntime.Use(runtime))
        {
            Assert.Same(registered, site.Limiter);
        }

        var (_, other) = FakeRuntime();
        using (ThrottleRuntime.Use(other))
        {
            var ex = Assert.Throws<InvalidOperationException>(() => site.Limiter);
            Assert.Contains("'api'", ex.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("api")]
    public void Constructor_UndefinedStrategy_ThrowsNamingTheOption(string? limiterName)
    {
        // With or without a named limiter: refused when the site is built, not at its first call.
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Site(strategy: (RateLimitStrategy)42, limiterName: limiterName));
        Assert.Equal("Strategy", error.ParamName);
        Assert.Contains("(RateLimitStrategy)42 is not a RateLimitStrategy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limiter_SlidingWindowStrategy_BuildsASlidingWindowLimiter()
    {
        var (_, runtime) = FakeRuntime();
        var site = Site(strategy: RateLimitStrategy.SlidingWindow);
        using (ThrottleRuntime.Use(runtime))
        {
            var limiter = Assert.IsType<SlidingWindowLimiter>(site.Limiter);
            Assert.Same(runtime.Storage, limiter.Storage);
        }
    }

    [Fact]
    public async Task AcquireAsync_RespectsSiteLimits()
    {
        var (clock, runtime) = FakeRuntime();
        var site = Site(rate: 2, maxWaitSeconds: 0);
        using (ThrottleRuntime.Use(runtime))
        {
            Assert.True(site.AcquireAsync("k", CancellationToken.None).IsCompletedSuccessfully);
            Assert.True(site.AcquireAsync("k", CancellationToken.None).IsCompletedSuccessfully);

            var ex = await Assert.ThrowsAsync<RateLimitRejectedException>(() => site.AcquireAsync("k", CancellationToken.None).AsTask());
            Assert.Equal("k", ex.Key);
            Assert.Equal(TimeSpan.FromMilliseconds(500), ex.RetryAfter);

            // Other keys are independent.
            await site.AcquireAsync("other", CancellationToken.None);

            clock.Advance(TimeSpan.FromMilliseconds(500));
            await site.AcquireAsync("k", CancellationToken.None);
        }
    }

    [Fact]
    public async Task AcquireAsync_WithMaxWait_WaitsOnTheRuntimeClock()
    {
        var (clock, runtime) = FakeRuntime();
        var site = Site(rate: 1, maxWaitSeconds: 1);
        using (ThrottleRuntime.Use(runtime))
        {
            await site.AcquireAsync("k", CancellationToken.None);
            var waiting = site.AcquireAsync("k", CancellationToken.None).AsTask();
            Assert.False(waiting.IsCompleted);
            clock.Advance(TimeSpan.FromSeconds(1));
            await waiting.WaitAsync(Safety);
        }
    }

    [Fact]
    public async Task Acquire_Sync_BlocksUntilTimeAdvances()
    {
        var (clock, runtime) = FakeRuntime();
        var site = Site(rate: 1);
        using (ThrottleRuntime.Use(runtime))
        {
            site.Acquire("k", CancellationToken.None);
            Assert.Equal(0, clock.TimersCreated);

            var blocked = Task.Run(() => site.Acquire("k", CancellationToken.None));
            Assert.True(clock.WaitForTimer(Safety), "the blocked call never started waiting");
            Assert.False(blocked.IsCompleted);

            clock.Advance(TimeSpan.FromMilliseconds(999));
            Assert.False(blocked.IsCompleted);

            clock.Advance(TimeSpan.FromMilliseconds(1));
            await blocked.WaitAsync(Safety);
            Assert.True(blocked.IsCompletedSuccessfully);
        }
    }

    [Fact]
    public async Task Acquire_Sync_Cancelled_Throws()
    {
        var (clock, runtime) = FakeRuntime();
        var site = Site(rate: 1);
        using var cts = new CancellationTokenSource();
        using (ThrottleRuntime.Use(runtime))
        {
            site.Acquire("k", CancellationToken.None);
            var blocked = Task.Run(() => site.Acquire("k", cts.Token));
            Assert.True(clock.WaitForTimer(Safety));
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked.WaitAsync(Safety));
        }
    }

    [Fact]
    public void Acquire_Sync_MaxWaitZero_Throws()
    {
        var (_, runtime) = FakeRuntime();
        var site = Site(rate: 1, maxWaitSeconds: 0);
        using (ThrottleRuntime.Use(runtime))
        {
            site.Acquire("k", CancellationToken.None);
            var ex = Assert.Throws<RateLimitRejectedException>(() => site.Acquire("k", CancellationToken.None));
            Assert.Equal(TimeSpan.FromSeconds(1), ex.RetryAfter);
        }
    }

    // The site's in-process token bucket path (a CAS-taken entry gate, the constant key's cached entry): concurrent
    // callers on a frozen clock get exactly the burst, then exactly what the clock's advance refilled, never more.
    [Fact]
    public async Task Concurrent_callers_on_a_frozen_clock_get_exactly_the_burst_and_then_exactly_the_refill()
    {
        const int Workers = 8;
        const int CallsPerWorker = 100;
        var (clock, runtime) = FakeRuntime();
        var site = Site(rate: 40, burst: 40, maxWaitSeconds: 0, id: "Ns.Type.Hot()");

        Assert.Equal((40, (Workers * CallsPerWorker) - 40), await RoundAsync());
        clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal((20, (Workers * CallsPerWorker) - 20), await RoundAsync());

        async Task<(int Acquired, int Rejected)> RoundAsync()
        {
            var acquired = 0;
            var rejected = 0;
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
            {
                await go.Task;
                for (var i = 0; i < CallsPerWorker; i++)
                {
                    try
                    {
                        site.Acquire(runtime, site.Id, CancellationToken.None);
                        Interlocked.Increment(ref acquired);
                    }
                    catch (RateLimitRejectedException)
                    {
                        Interlocked.Increment(ref rejected);
                    }
                }
            })).ToArray();
            go.SetResult();
            await Task.WhenAll(workers).WaitAsync(Safety);
            return (acquired, rejected);
        }
    }
}
