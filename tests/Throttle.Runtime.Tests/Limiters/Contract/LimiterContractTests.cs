using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Throttle.Limiters;
using Throttle.Storage;
using Xunit;

namespace Throttle.Tests.Limiters.Contract;

/// <summary>
/// What every limiter algorithm must do on every storage, using only public limiter APIs and the storage it is given.
/// A subclass supplies the storage. With fake time (in-process storage) time moves by <see cref="FakeTimeProvider.Advance"/>;
/// a storage with its own clock (Redis uses the server's) returns <see langword="false"/> from
/// <see cref="SupportsFakeTime"/> and the timing tests wait real time instead, with one-second windows.
/// </summary>
public abstract class LimiterContractTests : IAsyncLifetime
{
    /// <summary>Capacity of the limiters under test; they all recover it within one second.</summary>
    protected const double Capacity = 4;

    private ThrottleStorage? _storage;

    /// <summary>The algorithms every storage must run.</summary>
    public static TheoryData<string> Algorithms => new() { "TokenBucket", "SlidingWindow", "LeakyBucket", "Adaptive" };

    /// <summary>
    /// The algorithms whose non-waiting attempts admit a whole burst of <see cref="Capacity"/> at once. The leaky bucket
    /// grants a non-waiting attempt only when the call may start now; its burst contract is
    /// <see cref="LeakyBucketContractTests"/>.
    /// </summary>
    public static TheoryData<string> BurstAlgorithms => new() { "TokenBucket", "SlidingWindow", "Adaptive" };

    /// <summary>The fake clock handed to storages that support fake time.</summary>
    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>The storage under test.</summary>
    protected ThrottleStorage Storage => _storage ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>Whether the storage runs on <see cref="Clock"/> (so time moves only when the test advances it).</summary>
    protected abstract bool SupportsFakeTime { get; }

    public async Task InitializeAsync() => _storage = await CreateStorageAsync(Clock);

    public async Task DisposeAsync()
    {
        if (_storage is not null)
        {
            await DisposeStorageAsync(_storage);
        }
    }

    /// <summary>Creates a fresh, empty storage; storages supporting fake time must use <paramref name="clock"/>.</summary>
    protected abstract ValueTask<ThrottleStorage> CreateStorageAsync(TimeProvider clock);

    /// <summary>Closes the storage.</summary>
    protected virtual ValueTask DisposeStorageAsync(ThrottleStorage storage) => storage.DisposeAsync();

    /// <summary>Lets <paramref name="duration"/> pass: on the fake clock, or in real time.</summary>
    protected async Task AdvanceAsync(TimeSpan duration)
    {
        if (SupportsFakeTime)
        {
            Clock.Advance(duration);
        }
        else
        {
            await Task.Delay(duration);
        }
    }

    /// <summary>
    /// The period, in seconds, of limiters in tests about rejections rather than recovery. On a real clock a one-second
    /// period refills a token every 0.25 s, which a stalled round trip on a loaded machine can reach between the calls
    /// that empty a bucket and the call that must be refused; a minute cannot be reached. (The adaptive limiter's rate is
    /// per second and its burst is its rate: it always recovers within one second.)
    /// </summary>
    protected double RejectionPeriod => SupportsFakeTime ? 1 : 60;

    /// <summary>A limiter of <paramref name="algorithm"/> holding <see cref="Capacity"/> per key, recovered within <paramref name="per"/> seconds.</summary>
    protected ThrottleLimiter Create(string algorithm, string scope = "contract", double per = 1) => algorithm switch
    {
        "TokenBucket" => new TokenBucketLimiter(Capacity, per: per, storage: Storage, scope: scope),
        "SlidingWindow" => new SlidingWindowLimiter(Capacity, per: per, storage: Storage, scope: scope),
        "LeakyBucket" => new LeakyBucketLimiter(Capacity / per, Capacity, storage: Storage, scope: scope),
        "Adaptive" => new AdaptiveLimiter(Capacity, Capacity, Capacity, window: 3600, storage: Storage, scope: scope),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    /// <summary>A key no other test uses (storages shared between tests, such as one Redis server, stay independent).</summary>
    protected static string NewKey() => "k-" + Guid.NewGuid().ToString("N");

    /// <summary>
    /// Runs <paramref name="emptiesThenRefuses"/>, which empties fresh keys of a limiter made with
    /// <see cref="RejectionPeriod"/> and answers whether the refusals it needs came. On a real clock the adaptive limiter
    /// refills a token every quarter second, which a stall on a loaded machine can reach: a grant that such a stall
    /// explains is tried again on new keys, up to five times (a limiter that never refuses is granted every time).
    /// </summary>
    protected async Task AssertRefusedAsync(string algorithm, Func<Task<bool>> emptiesThenRefuses)
    {
        var refillSeconds = (algorithm == "Adaptive" ? 1 : RejectionPeriod) / Capacity;
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            if (await emptiesThenRefuses())
            {
                return;
            }

            var stalled = Stopwatch.GetElapsedTime(started).TotalSeconds;
            Assert.True(
                !SupportsFakeTime && stalled >= refillSeconds && attempt < 5,
                $"granted where a refusal was due, {stalled:0.###} s into the check (attempt {attempt})");
        }
    }

    [Theory]
    [MemberData(nameof(BurstAlgorithms))]
    public async Task FreshKey_AdmitsItsCapacity_ThenRejectsWithRetryAfter(string algorithm)
    {
        var limiter = Create(algorithm, per: RejectionPeriod);
        await AssertRefusedAsync(algorithm, async () =>
        {
            var key = NewKey();
            for (var i = 0; i < Capacity; i++)
            {
                Assert.True(await limiter.TryAcquireAsync(key), $"request {i} of {Capacity}");
            }

            var rejected = await limiter.AttemptAcquireAsync(key);
            if (!rejected.IsAcquired)
            {
                Assert.InRange(rejected.RetryAfter, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(algorithm == "Adaptive" ? 1 : RejectionPeriod));
            }

            return !rejected.IsAcquired;
        });
    }

    [Theory]
    [MemberData(nameof(BurstAlgorithms))]
    public async Task ManyConcurrentTasksOnOneKey_AdmitNoMoreThanTheLimit(string algorithm)
    {
        var limiter = Create(algorithm);
        var key = NewKey();
        var started = Stopwatch.StartNew();
        var admitted = 0;
        using var go = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 48).Select(_ => Task.Run(async () =>
        {
            go.Wait();
            for (var i = 0; i < 5; i++)
            {
                if (await limiter.TryAcquireAsync(key))
                {
                    Interlocked.Increment(ref admitted);
                }
            }
        })).ToArray();
        go.Set();
        await Task.WhenAll(tasks);

        // Fake time stands still, so exactly the capacity; on a real clock, plus what refilled meanwhile.
        var bound = SupportsFakeTime ? Capacity : Capacity + (Capacity * started.Elapsed.TotalSeconds) + 1;
        Assert.InRange(admitted, Capacity, bound);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Rejected_IsAdmittedAfterItsRetryAfter_NotBefore(string algorithm)
    {
        var limiter = Create(algorithm);
        var key = NewKey();

        // Emptied in one call, so that on a real clock only one round trip lies between it and the refusal.
        Assert.True(await limiter.TryAcquireAsync(key, Capacity));
        var rejected = await limiter.AttemptAcquireAsync(key);
        Assert.False(rejected.IsAcquired);
        if (SupportsFakeTime)
        {
            Clock.Advance(rejected.RetryAfter / 2);
            Assert.False(await limiter.TryAcquireAsync(key));
            Clock.Advance(rejected.RetryAfter - (rejected.RetryAfter / 2));
        }
        else
        {
            // The server clock runs on while the client measures: a small margin for the round trips.
            await Task.Delay(rejected.RetryAfter + TimeSpan.FromMilliseconds(50));
        }

        Assert.True(await limiter.TryAcquireAsync(key));
    }

    [Theory]
    [MemberData(nameof(BurstAlgorithms))]
    public async Task AfterAFullPeriod_TheWholeCapacityIsBack(string algorithm)
    {
        var limiter = Create(algorithm);
        var key = NewKey();
        for (var i = 0; i < Capacity; i++)
        {
            await limiter.TryAcquireAsync(key);
        }

        await AdvanceAsync(TimeSpan.FromSeconds(1.05));
        for (var i = 0; i < Capacity; i++)
        {
            Assert.True(await limiter.TryAcquireAsync(key), $"request {i} after the period");
        }
    }

    [Theory]
    [MemberData(nameof(BurstAlgorithms))]
    public async Task Release_ReturnsTokens_NeverAboveCapacity(string algorithm)
    {
        var limiter = Create(algorithm, per: RejectionPeriod);
        await AssertRefusedAsync(algorithm, async () =>
        {
            var key = NewKey();
            for (var i = 0; i < Capacity; i++)
            {
                await limiter.TryAcquireAsync(key);
            }

            await limiter.ReleaseAsync(key, 2);
            Assert.True(await limiter.TryAcquireAsync(key));
            Assert.True(await limiter.TryAcquireAsync(key));
            return !await limiter.TryAcquireAsync(key);
        });

        // Releasing into an untouched key gives nothing extra.
        await AssertRefusedAsync(algorithm, async () =>
        {
            var fresh = NewKey();
            await limiter.ReleaseAsync(fresh, 3);
            var stats = await limiter.GetStatsAsync(fresh);
            Assert.Equal(Capacity, stats.AvailableTokens, 6);
            for (var i = 0; i < Capacity; i++)
            {
                Assert.True(await limiter.TryAcquireAsync(fresh));
            }

            return !await limiter.TryAcquireAsync(fresh);
        });
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Stats_DescribeTheKey(string algorithm)
    {
        var limiter = Create(algorithm);
        var key = NewKey();
        var fresh = await limiter.GetStatsAsync(key);
        Assert.Equal(Capacity, fresh.AvailableTokens, 6);
        Assert.Equal(Capacity, fresh.MaxTokens, 6);
        Assert.Equal(Capacity, fresh.RefillRate, 6);
        Assert.Null(fresh.LastUpdate);

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.True(await limiter.TryAcquireAsync(key, 3));
        var used = await limiter.GetStatsAsync(key);
        // A real clock may have refilled since: a little, or as much as the measured time allows (a loaded machine can
        // stall the test between the two calls).
        var refilled = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds * Capacity;
        Assert.InRange(used.AvailableTokens, 1 - 1e-6, SupportsFakeTime ? 1 + 1e-6 : Math.Max(1.5, 1 + refilled + 0.05));
        Assert.Equal(Capacity, used.MaxTokens, 6);
        Assert.NotNull(used.LastUpdate);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Decisions_CarryTheQuotaAfterTheCall_AsStatsReadItThen(string algorithm)
    {
        // The adaptive limiter's burst is its rate per second (see RejectionPeriod); the others recover in RejectionPeriod.
        var per = algorithm == "Adaptive" ? 1 : RejectionPeriod;
        var rate = Capacity / per;
        var limiter = Create(algorithm, per: per);
        for (var attempt = 1; ; attempt++)
        {
            var key = NewKey();
            var started = Stopwatch.GetTimestamp();
            var granted = await limiter.AttemptAcquireAsync(key, 3);
            var rejected = await limiter.AttemptAcquireAsync(key, 3);
            // On a real clock the key refills while the calls run: by at most this much (the server's time between its
            // two decisions is within the client's between sending the first and hearing the second).
            var refilled = SupportsFakeTime ? 0 : Stopwatch.GetElapsedTime(started).TotalSeconds * rate;
            if (rejected.IsAcquired && refilled >= 2 && attempt < 5)
            {
                continue; // a stall long enough to refill the 2 missing tokens: the refusal cannot be judged, try again
            }

            Assert.True(granted.IsAcquired);
            Assert.True(granted.TryGetQuota(out var afterGrant));
            AssertQuota(afterGrant, available: 1, refilled);

            Assert.False(rejected.IsAcquired);
            Assert.True(rejected.TryGetQuota(out var afterRejection));
            AssertQuota(afterRejection, available: 1, refilled);
            Assert.Equal(RateLimitDecision.Acquired, granted); // the quota is what was seen, not part of the outcome
            return;
        }

        void AssertQuota(LimiterStats quota, double available, double refilled)
        {
            Assert.InRange(quota.AvailableTokens, available - 1e-6, Math.Min(Capacity, available + refilled) + 1e-6);
            Assert.Equal(Capacity, quota.MaxTokens, 6);
            Assert.Equal(rate, quota.RefillRate, 6);
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Keys_AreIsolated(string algorithm)
    {
        var limiter = Create(algorithm, per: RejectionPeriod);
        await AssertRefusedAsync(algorithm, async () =>
        {
            var a = NewKey();
            var b = NewKey();
            for (var i = 0; i < Capacity; i++)
            {
                await limiter.TryAcquireAsync(a);
            }

            var refused = !await limiter.TryAcquireAsync(a);
            Assert.True(await limiter.TryAcquireAsync(b));
            return refused;
        });
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Scopes_AreIsolated_AndOneScopeIsShared(string algorithm)
    {
        var scope = "s-" + Guid.NewGuid().ToString("N");
        var first = Create(algorithm, scope, RejectionPeriod);
        var sameScope = Create(algorithm, scope, RejectionPeriod);
        var otherScope = Create(algorithm, scope + "-other", RejectionPeriod);
        await AssertRefusedAsync(algorithm, async () =>
        {
            var key = NewKey();
            for (var i = 0; i < Capacity; i++)
            {
                await first.TryAcquireAsync(key);
            }

            var refused = !await sameScope.TryAcquireAsync(key);
            Assert.True(await otherScope.TryAcquireAsync(key));
            return refused;
        });
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task IdleKey_Expires(string algorithm)
    {
        var limiter = Create(algorithm);
        var key = NewKey();
        await limiter.TryAcquireAsync(key, 2);
        Assert.NotNull((await limiter.GetStatsAsync(key)).LastUpdate);

        // Recovered completely: its state is gone (no TTL-less leftovers), and it behaves as a fresh key.
        await AdvanceAsync(TimeSpan.FromSeconds(SupportsFakeTime ? 1.01 : 2.5));
        var stats = await limiter.GetStatsAsync(key);
        Assert.Null(stats.LastUpdate);
        Assert.Equal(Capacity, stats.AvailableTokens, 6);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task AcquireAsync_WaitsForTheComputedDelay(string algorithm)
    {
        var limiter = Create(algorithm);
        var key = NewKey();
        for (var i = 0; i < Capacity; i++)
        {
            await limiter.TryAcquireAsync(key);
        }

        var waiting = limiter.AcquireAsync(key, maxWait: TimeSpan.FromSeconds(30)).AsTask();
        if (SupportsFakeTime)
        {
            Assert.False(waiting.IsCompleted);
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(waiting.IsCompletedSuccessfully);
    }
}
