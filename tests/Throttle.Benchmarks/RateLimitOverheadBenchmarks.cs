using System;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Throttle.Limiters;

namespace Throttle.Benchmarks;

/// <summary>
/// Cost of one rate-limited call when a permit is available, against System.Threading.RateLimiting's
/// <see cref="TokenBucketRateLimiter"/> (the ratio baseline) and a direct call with no rate limit at all.
/// The goal: a generated wrapper at or below the STRL baseline, and 0 B allocated per call.
/// </summary>
[MemoryDiagnoser]
public class RateLimitOverheadBenchmarks
{
    private const string UserId = "user-42";
    private const string LongKey = "Throttle.Benchmarks.RateLimitedService.GetSync";

    private readonly RateLimitedService _service = new();
    private TokenBucketRateLimiter _strl = null!;
    private TokenBucketLimiter _limiter = null!;

    [GlobalSetup]
    public void Setup()
    {
        // Never runs out: int.MaxValue tokens, refilled to the top every second, no queue.
        _strl = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = int.MaxValue,
            TokensPerPeriod = int.MaxValue,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            AutoReplenishment = true,
            QueueLimit = 0,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _limiter = new TokenBucketLimiter(RateLimitedService.HugeRate, per: 1);

        // Bind every generated site to ThrottleRuntime.Current (and create the keyed bucket) before measuring.
        _ = _service.GetSync();
        _ = _service.GetTaskAsync().GetAwaiter().GetResult();
        _ = _service.GetValueTaskAsync().AsTask().GetAwaiter().GetResult();
        _ = _service.GetForUser(UserId);
        _ = _service.GetGuardedAsync().AsTask().GetAwaiter().GetResult();
        _ = _service.GetStackedAsync().AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _strl.Dispose();

    [Benchmark(Description = "Direct call, int (no limit)")]
    public int Direct_Sync() => _service.Direct();

    [Benchmark(Description = "Direct call, await ValueTask<int> (no limit)")]
    public async ValueTask<int> Direct_ValueTask() => await _service.DirectValueTaskAsync().ConfigureAwait(false);

    [Benchmark(Baseline = true, Description = "STRL TokenBucketRateLimiter.AttemptAcquire + Dispose")]
    public bool Strl_AttemptAcquire()
    {
        using var lease = _strl.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    [Benchmark(Description = "[RateLimit] int")]
    public int Wrapper_Sync() => _service.GetSync();

    // Awaited inside an async ValueTask<int> method: an async Task<int> benchmark method would itself allocate a
    // Task<int> (72 B) for the result 42, which is the harness, not the wrapper.
    [Benchmark(Description = "[RateLimit] await Task<int>")]
    public async ValueTask<int> Wrapper_Task() => await _service.GetTaskAsync().ConfigureAwait(false);

    [Benchmark(Description = "[RateLimit] await ValueTask<int>")]
    public async ValueTask<int> Wrapper_ValueTask() => await _service.GetValueTaskAsync().ConfigureAwait(false);

    [Benchmark(Description = "[RateLimit(Key = userId)] int")]
    public int Wrapper_Keyed() => _service.GetForUser(UserId);

    // Not the rate-limit hot path: an in-process semaphore hands out a lease object per call.
    [Benchmark(Description = "[DistributedSemaphore] in process, await ValueTask<int>")]
    public async ValueTask<int> Wrapper_Semaphore() => await _service.GetGuardedAsync().ConfigureAwait(false);

    [Benchmark(Description = "[CircuitBreaker][Retry][RateLimit][DistributedSemaphore] await ValueTask<int>")]
    public async ValueTask<int> Wrapper_Stacked() => await _service.GetStackedAsync().ConfigureAwait(false);

    // Every TokenBucketLimiter call reads the clock (lazy refill); STRL with AutoReplenishment does not. Its cost, alone:
    [Benchmark(Description = "TimeProvider.System.GetTimestamp()")]
    public long Clock_GetTimestamp() => TimeProvider.System.GetTimestamp();

    // The in-memory limiters read Stopwatch.GetTimestamp() directly when the clock is TimeProvider.System (same values).
    [Benchmark(Description = "Stopwatch.GetTimestamp()")]
    public long Clock_Stopwatch() => System.Diagnostics.Stopwatch.GetTimestamp();

    // A coarse clock (milliseconds) for comparison: what a limiter with millisecond precision would pay instead.
    [Benchmark(Description = "Environment.TickCount64")]
    public long Clock_TickCount64() => Environment.TickCount64;

    [Benchmark(Description = "TokenBucketLimiter.TryAcquireAsync")]
    public async ValueTask<bool> Limiter_TryAcquireAsync() => await _limiter.TryAcquireAsync(UserId).ConfigureAwait(false);

    // Same call with a key as long as an unkeyed method's default key (its full name): shows what key hashing costs.
    [Benchmark(Description = "TokenBucketLimiter.TryAcquireAsync, method-name key")]
    public async ValueTask<bool> Limiter_TryAcquireAsync_LongKey() => await _limiter.TryAcquireAsync(LongKey).ConfigureAwait(false);
}
