using System;
using System.Globalization;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Throttle.Limiters;
using Throttle.Storage;

namespace Throttle.Benchmarks;

/// <summary>
/// 1,000,000 distinct keys through <c>MemoryStorage(maxSize: 100_000)</c>, per algorithm: the cost per key (mean is
/// per operation) and proof that memory stays bounded. After each run the storage's key count and the managed heap
/// are printed (look for "MemoryBound" in the log): the count never exceeds <c>MaxSize</c>.
/// </summary>
[MemoryDiagnoser]
public class MemoryBoundBenchmarks
{
    private const int Keys = 1_000_000;
    private const int MaxSize = 100_000;

    private string[] _keys = null!;
    private MemoryStorage _storage = null!;
    private ThrottleLimiter _limiter = null!;

    [Params("TokenBucket", "SlidingWindow")]
    public string Algorithm { get; set; } = "TokenBucket";

    [GlobalSetup]
    public void Setup()
    {
        _keys = new string[Keys];
        for (var i = 0; i < Keys; i++)
        {
            _keys[i] = "tenant-" + i.ToString(CultureInfo.InvariantCulture);
        }
    }

    [IterationSetup]
    public void IterationSetup()
    {
        // A fresh storage per iteration: every key is new, so every call inserts (and the sweeps evict).
        _storage = new MemoryStorage(MaxSize);
        _limiter = Algorithm == "TokenBucket"
            ? new TokenBucketLimiter(10, per: 3600, storage: _storage)
            : new SlidingWindowLimiter(10, per: 3600, storage: _storage);
    }

    [IterationCleanup]
    public void IterationCleanup()
    {
        GC.Collect();
        Console.WriteLine(
            $"// MemoryBound {Algorithm}: {Keys:N0} keys -> storage Count {_storage.Count:N0} (MaxSize {MaxSize:N0}), " +
            $"managed heap after GC {GC.GetTotalMemory(forceFullCollection: true) / (1024.0 * 1024.0):0.0} MiB");
    }

    [Benchmark(OperationsPerInvoke = Keys)]
    public int DistinctKeys()
    {
        var admitted = 0;
        foreach (var key in _keys)
        {
            var pending = _limiter.TryAcquireAsync(key);
            if (pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult())
            {
                admitted++;
            }
        }

        return admitted;
    }
}
