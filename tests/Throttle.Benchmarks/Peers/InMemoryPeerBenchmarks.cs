using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Throttle.Limiters;

namespace Throttle.Benchmarks.Peers;

/// <summary>
/// Issue 15's in-memory rows, each category against its peer (the ratio baseline) in one run: one key (Throttle's
/// <c>TryAcquireAsync</c> and the generated <c>[RateLimit]</c> wrapper against STRL's <see cref="TokenBucketRateLimiter"/>,
/// with one <see cref="Stopwatch.GetTimestamp"/> for the goal "peer + one clock read"), and 1,000 keys (the keyed wrapper
/// and <c>TryAcquireAsync</c> against STRL's <see cref="PartitionedRateLimiter"/> of token buckets). Never rejects: every
/// limit is far above the call rate.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class InMemoryPeerBenchmarks
{
    public const string OneKey = "in memory, one key";
    public const string ThousandKeys = "in memory, 1,000 keys";

    private const string Key = "user-42";

    private static readonly TokenBucketRateLimiterOptions s_strlOptions = new()
    {
        TokenLimit = int.MaxValue,
        TokensPerPeriod = int.MaxValue,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        AutoReplenishment = true,
        QueueLimit = 0,
    };

    private readonly RateLimitedService _service = new();
    private readonly string[] _keys = new string[1_000];
    private TokenBucketRateLimiter _strl = null!;
    private PartitionedRateLimiter<string> _strlPartitioned = null!;
    private TokenBucketLimiter _limiter = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            _keys[i] = "user-" + i.ToString("D4", CultureInfo.InvariantCulture);
        }

        _strl = new TokenBucketRateLimiter(s_strlOptions);
        _strlPartitioned = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, static _ => s_strlOptions));
        _limiter = new TokenBucketLimiter(RateLimitedService.HugeRate, per: 1);

        // Every site bound and every bucket and partition created before measuring.
        _ = _service.GetSync();
        foreach (var key in _keys)
        {
            _ = _service.GetForUser(key);
            _ = Consume(_limiter.TryAcquireAsync(key));
            _strlPartitioned.AttemptAcquire(key).Dispose();
        }

        _ = Consume(_limiter.TryAcquireAsync(Key));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _strl.Dispose();
        _strlPartitioned.Dispose();
    }

    [BenchmarkCategory(OneKey), Benchmark(Baseline = true, Description = "STRL TokenBucketRateLimiter.AttemptAcquire + Dispose")]
    public bool Strl_OneKey()
    {
        using var lease = _strl.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    [BenchmarkCategory(OneKey), Benchmark(Description = "TokenBucketLimiter.TryAcquireAsync")]
    public bool Throttle_TryAcquire_OneKey() => Consume(_limiter.TryAcquireAsync(Key));

    [BenchmarkCategory(OneKey), Benchmark(Description = "[RateLimit] int wrapper")]
    public int Throttle_Wrapper_OneKey() => _service.GetSync();

    [BenchmarkCategory(OneKey), Benchmark(Description = "Stopwatch.GetTimestamp()")]
    public long Clock_Stopwatch() => Stopwatch.GetTimestamp();

    [BenchmarkCategory(ThousandKeys), Benchmark(Baseline = true, Description = "STRL PartitionedRateLimiter (token buckets).AttemptAcquire + Dispose")]
    public bool Strl_ThousandKeys()
    {
        using var lease = _strlPartitioned.AttemptAcquire(NextKey());
        return lease.IsAcquired;
    }

    [BenchmarkCategory(ThousandKeys), Benchmark(Description = "[RateLimit(Key = userId)] int wrapper")]
    public int Throttle_Wrapper_ThousandKeys() => _service.GetForUser(NextKey());

    [BenchmarkCategory(ThousandKeys), Benchmark(Description = "TokenBucketLimiter.TryAcquireAsync")]
    public bool Throttle_TryAcquire_ThousandKeys() => Consume(_limiter.TryAcquireAsync(NextKey()));

    // The same cycling over the 1,000 keys in every row of the category, so its cost is in the baseline too.
    private string NextKey()
    {
        var next = _next + 1;
        if (next == _keys.Length)
        {
            next = 0;
        }

        _next = next;
        return _keys[next];
    }

    // In memory the ValueTask is always complete: reading it directly keeps an async state machine out of the figure.
    private static bool Consume(ValueTask<bool> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
}
