using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Internal;
using Throttle.Limiters.Backends;
using Throttle.Storage;
using Throttle.Storage.Memory;

namespace Throttle.Limiters;

/// <summary>
/// Token bucket per key: tokens refill continuously at <c>rate / per</c> per second up to <c>burst</c>, and a request
/// takes its tokens if the balance covers them. Balances are fractional, so slow rates stay exact.
/// </summary>
/// <remarks>
/// Algorithm, per request: <c>balance = min(burst, balance + elapsed × rate / per)</c>; grant when
/// <c>balance ≥ tokens</c> and subtract, otherwise reject with <c>RetryAfter = (tokens − balance) / (rate / per)</c>.
/// On <see cref="MemoryStorage"/> an acquire with a permit available does not allocate.
/// </remarks>
public sealed class TokenBucketLimiter : ThrottleLimiter
{
    private readonly ILimiterBackend _backend;
    private readonly LimiterRate _rate;

    // The same backend when the buckets are in process: its synchronous attempt skips the ValueTask (null on Redis).
    private readonly MemoryTokenBucketBackend? _memory;

    /// <summary>Creates a token bucket limiter.</summary>
    /// <param name="rate">Tokens added per period; positive and finite.</param>
    /// <param name="per">The period in seconds; positive and finite. Default 1.</param>
    /// <param name="burst">The bucket's capacity; positive and finite. Default: <paramref name="rate"/>.</param>
    /// <param name="storage">Where the buckets live. Default: a new <see cref="MemoryStorage"/>.</param>
    /// <param name="scope">Namespace of the buckets; token bucket limiters sharing storage and scope share buckets per key.</param>
    /// <exception cref="ArgumentOutOfRangeException">A number is not positive and finite.</exception>
    /// <exception cref="ArgumentException"><paramref name="scope"/> is null or empty.</exception>
    public TokenBucketLimiter(double rate, double per = 1.0, double? burst = null, ThrottleStorage? storage = null, string scope = "default")
        : base(scope, (storage ??= new MemoryStorage()).TimeProvider)
    {
        Rate = Guard.PositiveFinite(rate, nameof(rate));
        Per = Guard.PositiveFinite(per, nameof(per));
        Burst = burst is { } b ? Guard.PositiveFinite(b, nameof(burst)) : rate;
        RefillRatePerSecond = Guard.PositiveFinite(rate / per, nameof(rate));
        Storage = storage;
        _rate = new LimiterRate(Burst, RefillRatePerSecond);
        _backend = storage.CreateLimiterBackend(
            new LimiterDefinition(LimiterAlgorithm.TokenBucket, scope, Burst, RefillRatePerSecond, TimeSpan.Zero));
        _memory = _backend as MemoryTokenBucketBackend;
    }

    /// <summary>Tokens added per period.</summary>
    public double Rate { get; }

    /// <summary>The period in seconds.</summary>
    public double Per { get; }

    /// <summary>The bucket's capacity.</summary>
    public double Burst { get; }

    /// <summary>Tokens added per second (<see cref="Rate"/> / <see cref="Per"/>).</summary>
    public double RefillRatePerSecond { get; }

    /// <summary>Where the buckets live.</summary>
    public ThrottleStorage Storage { get; }

    /// <inheritdoc />
    public override double Capacity => Burst;

    /// <inheritdoc />
    internal override bool DecisionsCarryQuota => true;

    /// <inheritdoc />
    protected override ValueTask<RateLimitDecision> AttemptAcquireCoreAsync(string key, double tokens, CancellationToken cancellationToken) =>
        _backend.TryAcquireAsync(key, tokens, _rate, cancellationToken);

    /// <summary>The buckets when they are in process (<see cref="MemoryStorage"/>); null on Redis.</summary>
    internal MemoryTokenBucketBackend? InProcess => _memory;

    /// <summary>
    /// The in-process buckets when the generated wrapper's site may take its one token from them directly (memory storage,
    /// a capacity of at least one token); null otherwise (Redis, or a capacity below one token, which the checked path
    /// refuses with its message).
    /// </summary>
    internal MemoryTokenBucketBackend? InProcessForOne => Burst >= 1 ? _memory : null;

    /// <summary>
    /// <see cref="ThrottleLimiter.AcquireOneUncheckedAsync"/> without its virtual calls, for the generated wrapper's site:
    /// in process, one synchronous attempt and, only when rejected, the same wait.
    /// </summary>
    internal ValueTask AcquireOneAsync(string key, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (_memory is not { } memory || Burst < 1 || cancellationToken.IsCancellationRequested)
        {
            return AcquireOneUncheckedAsync(key, maxWait, cancellationToken);
        }

        return memory.TryAcquireNow(key, 1, out var retryAfter)
            ? default
            : WaitAfterRejectionAsync(key, 1, retryAfter, maxWait, cancellationToken);
    }

    /// <summary>The site's wait after its own in-process attempt for one token was rejected with <paramref name="retryAfter"/>.</summary>
    internal ValueTask WaitForOneAfterRejectionAsync(string key, TimeSpan retryAfter, TimeSpan maxWait, CancellationToken cancellationToken) =>
        WaitAfterRejectionAsync(key, 1, retryAfter, maxWait, cancellationToken);

    /// <inheritdoc />
    internal override ImmediateAttempt TryAcquireImmediately(string key, double tokens, out TimeSpan retryAfter)
    {
        if (_memory is { } memory)
        {
            return memory.TryAcquireNow(key, tokens, out retryAfter) ? ImmediateAttempt.Acquired : ImmediateAttempt.Rejected;
        }

        retryAfter = TimeSpan.Zero;
        return ImmediateAttempt.Unavailable;
    }

    /// <inheritdoc />
    protected override ValueTask ReleaseCoreAsync(string key, double tokens, CancellationToken cancellationToken) =>
        _backend.ReleaseAsync(key, tokens, _rate, cancellationToken);

    /// <inheritdoc />
    protected override ValueTask<LimiterStats> GetStatsCoreAsync(string key, CancellationToken cancellationToken) =>
        _backend.GetStatsAsync(key, _rate, cancellationToken);
}
