using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Throttle.Limiters;

namespace Throttle.Benchmarks.SpecNotes;

/// <summary>
/// The spec's "token bucket ~10× faster than sliding window", in memory: one acquire with a permit free on each
/// (token bucket the baseline). The sliding window is Throttle's exact log: a 10 ms window bounds the log at this
/// call rate while 10^7 per window never rejects.
/// </summary>
[MemoryDiagnoser]
public class SpecNotesMemoryBenchmarks
{
    public const string TokenBucket = "TokenBucketLimiter.TryAcquireAsync (memory)";
    public const string SlidingWindow = "SlidingWindowLimiter.TryAcquireAsync (memory)";

    private const string Key = "user-42";

    private readonly TokenBucketLimiter _tokenBucket = new(1e12);
    private readonly SlidingWindowLimiter _slidingWindow = new(1e7, per: 0.01);

    [Benchmark(Baseline = true, Description = TokenBucket)]
    public bool Bucket() => Consume(_tokenBucket.TryAcquireAsync(Key));

    [Benchmark(Description = SlidingWindow)]
    public bool Window() => Consume(_slidingWindow.TryAcquireAsync(Key));

    private static bool Consume(ValueTask<bool> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
}
