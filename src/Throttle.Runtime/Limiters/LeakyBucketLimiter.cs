using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Internal;
using Throttle.Limiters.Backends;
using Throttle.Storage;

namespace Throttle.Limiters;

/// <summary>
/// Leaky bucket per key: a level that drains at <c>rate</c> tokens per second; a request is admitted while the level
/// plus its tokens stays within <c>capacity</c>. Smooths bursts into an even flow.
/// </summary>
/// <remarks>
/// Algorithm, per request: <c>level = max(0, level − elapsed × rate)</c>; admit when <c>level + tokens ≤ capacity</c>
/// and add them, otherwise reject with <c>RetryAfter = (level + tokens − capacity) / rate</c>.
/// <see cref="ThrottleLimiter.ReleaseAsync"/> lowers the level (never below empty).
/// </remarks>
public sealed class LeakyBucketLimiter : ThrottleLimiter
{
    private readonly ILimiterBackend _backend;
    private readonly LimiterRate _rate;

    /// <summary>Creates a leaky bucket limiter.</summary>
    /// <param name="rate">Leak rate in tokens per second; positive and finite.</param>
    /// <param name="capacity">The bucket's capacity; positive and finite.</param>
    /// <param name="storage">Where the buckets live. Default: a new <see cref="MemoryStorage"/>.</param>
    /// <param name="scope">Namespace of the buckets; leaky bucket limiters sharing storage and scope share buckets per key.</param>
    /// <exception cref="ArgumentOutOfRangeException">A number is not positive and finite.</exception>
    /// <exception cref="ArgumentException"><paramref name="scope"/> is null or empty.</exception>
    public LeakyBucketLimiter(double rate, double capacity, ThrottleStorage? storage = null, string scope = "default")
        : base(scope, (storage ??= new MemoryStorage()).TimeProvider)
    {
        Rate = Guard.PositiveFinite(rate, nameof(rate));
        BucketCapacity = Guard.PositiveFinite(capacity, nameof(capacity));
        Storage = storage;
        _rate = new LimiterRate(capacity, rate);
        _backend = storage.CreateLimiterBackend(
            new LimiterDefinition(LimiterAlgorithm.LeakyBucket, scope, capacity, rate, TimeSpan.Zero));
    }

    /// <summary>Leak rate in tokens per second.</summary>
    public double Rate { get; }

    /// <summary>The bucket's capacity (the same as <see cref="Capacity"/>).</summary>
    public double BucketCapacity { get; }

    /// <summary>Where the buckets live.</summary>
    public ThrottleStorage Storage { get; }

    /// <inheritdoc />
    public override double Capacity => BucketCapacity;

    /// <inheritdoc />
    protected override ValueTask<RateLimitDecision> AttemptAcquireCoreAsync(string key, double tokens, CancellationToken cancellationToken) =>
        _backend.TryAcquireAsync(key, tokens, _rate, cancellationToken);

    /// <inheritdoc />
    protected override ValueTask ReleaseCoreAsync(string key, double tokens, CancellationToken cancellationToken) =>
        _backend.ReleaseAsync(key, tokens, _rate, cancellationToken);

    /// <inheritdoc />
    protected override ValueTask<LimiterStats> GetStatsCoreAsync(string key, CancellationToken cancellationToken) =>
        _backend.GetStatsAsync(key, _rate, cancellationToken);
}
