using System;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Throttle.Limiters;

namespace Throttle.Benchmarks;

/// <summary>
/// One acquire with a permit available, per algorithm, in memory: Throttle's <c>TryAcquireAsync</c> (consumed
/// synchronously, as STRL's call is synchronous) against System.Threading.RateLimiting's token bucket (the ratio
/// baseline) and sliding window. Goal (issue 3): at or below their ns/op, 0 B/op.
/// </summary>
[MemoryDiagnoser]
public class LimiterBenchmarks
{
    private const string Key = "user-42";

    private TokenBucketRateLimiter _strlTokenBucket = null!;
    private SlidingWindowRateLimiter _strlSlidingWindow = null!;
    private TokenBucketLimiter _tokenBucket = null!;
    private SlidingWindowLimiter _slidingWindow = null!;
    private LeakyBucketLimiter _leakyBucket = null!;
    private AdaptiveLimiter _adaptive = null!;

    [GlobalSetup]
    public void Setup()
    {
        _strlTokenBucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = int.MaxValue,
            TokensPerPeriod = int.MaxValue,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            AutoReplenishment = true,
            QueueLimit = 0,
        });
        _strlSlidingWindow = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = int.MaxValue,
            Window = TimeSpan.FromSeconds(1),
            SegmentsPerWindow = 10,
            AutoReplenishment = true,
            QueueLimit = 0,
        });
        _tokenBucket = new TokenBucketLimiter(1e12);
        // An exact log keeps one record per admitted request for one window: a 10 ms window bounds it (at most a few
        // hundred thousand records at this call rate) while 10^7 per window never rejects.
        _slidingWindow = new SlidingWindowLimiter(1e7, per: 0.01);
        _leakyBucket = new LeakyBucketLimiter(1e12, 1e12);
        _adaptive = new AdaptiveLimiter(initialRate: 1e12, minRate: 1, maxRate: 1e12, window: 3600);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _strlTokenBucket.Dispose();
        _strlSlidingWindow.Dispose();
    }

    [Benchmark(Baseline = true, Description = "STRL TokenBucketRateLimiter.AttemptAcquire + Dispose")]
    public bool Strl_TokenBucket()
    {
        using var lease = _strlTokenBucket.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    [Benchmark(Description = "STRL SlidingWindowRateLimiter.AttemptAcquire + Dispose")]
    public bool Strl_SlidingWindow()
    {
        using var lease = _strlSlidingWindow.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    [Benchmark(Description = "TokenBucketLimiter.TryAcquireAsync")]
    public bool TokenBucket() => Consume(_tokenBucket.TryAcquireAsync(Key));

    [Benchmark(Description = "SlidingWindowLimiter.TryAcquireAsync")]
    public bool SlidingWindow() => Consume(_slidingWindow.TryAcquireAsync(Key));

    [Benchmark(Description = "LeakyBucketLimiter.TryAcquireAsync")]
    public bool LeakyBucket() => Consume(_leakyBucket.TryAcquireAsync(Key));

    [Benchmark(Description = "AdaptiveLimiter.TryAcquireAsync")]
    public bool Adaptive() => Consume(_adaptive.TryAcquireAsync(Key));

    // In memory the ValueTask is always complete; reading it directly keeps an async state machine out of the figure.
    private static bool Consume(ValueTask<bool> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
}
