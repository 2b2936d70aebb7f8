using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Storage;

namespace Throttle.Interop;

/// <summary>
/// What one System.Threading.RateLimiting view of a <see cref="ThrottleLimiter"/> shares across its keys: the limiter,
/// the queue options, whether decisions are made in process, and disposal. Each key's queue and counters are a
/// <see cref="PartitionState"/>.
/// </summary>
/// <remarks>
/// Disposing the view ends its queued acquisitions (failed leases) and makes later calls throw
/// <see cref="ObjectDisposedException"/>; the limiter itself may be shared and stays usable.
/// </remarks>
[SuppressMessage("Reliability", "CA1001", Justification = "The token source is cancelled on dispose and never disposed: pumps still read its token afterwards.")]
internal sealed class LimiterAdapter
{
    private readonly CancellationTokenSource _disposing = new();
    private readonly Type _owner;
    private volatile bool _disposed;

    public LimiterAdapter(ThrottleLimiter limiter, ThrottleRateLimiterOptions options, Type owner)
    {
        Limiter = limiter;
        Options = options;
        _owner = owner;
        DecidesInProcess = IsInProcess(limiter);
    }

    public ThrottleLimiter Limiter { get; }

    public ThrottleRateLimiterOptions Options { get; }

    public TimeProvider TimeProvider => Limiter.TimeProvider;

    /// <summary>
    /// Whether the limiter decides in this process (memory storage): then a synchronous attempt is answered at once
    /// without blocking. On remote storage (Redis, hybrid) a synchronous attempt fails at once instead of waiting for
    /// a round trip, so callers such as ASP.NET Core's middleware go on to <c>AcquireAsync</c>.
    /// </summary>
    public bool DecidesInProcess { get; }

    public bool IsNewestFirst => Options.QueueProcessingOrder == QueueProcessingOrder.NewestFirst;

    public bool IsDisposed => _disposed;

    /// <summary>Cancelled on dispose: ends the queue pumps' waits.</summary>
    public CancellationToken Disposing => _disposing.Token;

    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, _owner);

    /// <summary>STRL's argument checks: negative counts are refused by the base class; a count no key can ever hold throws here.</summary>
    public void ValidatePermits(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permitCount);
        if (permitCount > Limiter.Capacity)
        {
            throw new ArgumentOutOfRangeException(
                nameof(permitCount),
                permitCount,
                $"Requesting {permitCount} permits can never succeed: this limiter holds at most {Limiter.Capacity} per key.");
        }
    }

    /// <summary>Marks the view disposed and ends the waits of <paramref name="partitions"/>; idempotent.</summary>
    public void Dispose(IEnumerable<PartitionState> partitions)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _disposing.Cancel();
        foreach (var partition in partitions)
        {
            partition.EndWaits();
        }
    }

    /// <summary>The limiter's key for a partition key: the empty string is a partition too (see <see cref="PartitionKeys"/>).</summary>
    public static string KeyOf(string partitionKey) => PartitionKeys.ToLimiterKey(partitionKey);

    private static bool IsInProcess(ThrottleLimiter limiter) => limiter switch
    {
        TokenBucketLimiter l => l.Storage is MemoryStorage,
        SlidingWindowLimiter l => l.Storage is MemoryStorage,
        LeakyBucketLimiter l => l.Storage is MemoryStorage,
        AdaptiveLimiter l => l.Storage is MemoryStorage,
        CompositeLimiter l => l.Limiters.All(IsInProcess),
        // A limiter derived outside Throttle: its storage is unknown, so its answers are awaited where they arrive.
        _ => true,
    };
}
