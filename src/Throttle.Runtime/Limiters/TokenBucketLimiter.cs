using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Internal;
using Throttle.Storage;

namespace Throttle.Limiters;

/// <summary>
/// Token bucket per key: tokens refill continuously at <c>rate / per</c> per second up to <c>burst</c>, and a request
/// takes its tokens if the balance covers them. Balances are fractional, so slow rates stay exact.
/// </summary>
/// <remarks>
/// Algorithm, per request: <c>balance = min(burst, balance + elapsed × rate / per)</c>; grant when
/// <c>balance ≥ tokens</c> and subtract, otherwise reject with <c>RetryAfter = (tokens − balance) / (rate / per)</c>.
/// An acquire with a permit available does not allocate.
/// </remarks>
public sealed class TokenBucketLimiter : ThrottleLimiter
{
    // Absorbs floating-point rounding so a caller that waited exactly RetryAfter is not rejected by 1e-15 of a token.
    private const double Tolerance = 1e-9;

    private static readonly Func<string, long, double, TokenBucketState> CreateState =
        static (key, now, burst) => new TokenBucketState(key, now, burst);

    private readonly MemoryKeyspace<TokenBucketState> _buckets;
    private readonly double _ratePerTick;
    private readonly long _timestampFrequency;

    /// <summary>Creates a token bucket limiter.</summary>
    /// <param name="rate">Tokens added per period; positive and finite.</param>
    /// <param name="per">The period in seconds; positive and finite. Default 1.</param>
    /// <param name="burst">The bucket's capacity; positive and finite. Default: <paramref name="rate"/>.</param>
    /// <param name="storage">Where the buckets live. Default: a new <see cref="MemoryStorage"/>.</param>
    /// <param name="scope">Namespace of the buckets; token bucket limiters sharing storage and scope share buckets per key.</param>
    /// <exception cref="ArgumentOutOfRangeException">A number is not positive and finite.</exception>
    /// <exception cref="ArgumentException"><paramref name="scope"/> is null or empty.</exception>
    public TokenBucketLimiter(double rate, double per = 1.0, double? burst = null, MemoryStorage? storage = null, string scope = "default")
        : base(scope, (storage ??= new MemoryStorage()).TimeProvider)
    {
        Rate = Guard.PositiveFinite(rate, nameof(rate));
        Per = Guard.PositiveFinite(per, nameof(per));
        Burst = burst is { } b ? Guard.PositiveFinite(b, nameof(burst)) : rate;
        Storage = storage;
        RefillRatePerSecond = rate / per;
        _timestampFrequency = TimeProvider.TimestampFrequency;
        _ratePerTick = RefillRatePerSecond / _timestampFrequency;
        _buckets = storage.GetKeyspace<TokenBucketState>("token_bucket:" + scope);
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
    public MemoryStorage Storage { get; }

    /// <inheritdoc />
    public override double Capacity => Burst;

    /// <inheritdoc />
    protected override ValueTask<RateLimitDecision> AttemptAcquireCoreAsync(string key, double tokens, CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = TimeProvider.GetTimestamp();
            var bucket = _buckets.GetOrAdd(key, now, CreateState, Burst);
            lock (bucket)
            {
                if (bucket.Removed)
                {
                    continue;
                }

                bucket.Refill(now, _ratePerTick, Burst);
                if (bucket.Tokens + Tolerance >= tokens)
                {
                    bucket.Tokens = Math.Max(0, bucket.Tokens - tokens);
                    return new ValueTask<RateLimitDecision>(RateLimitDecision.Acquired);
                }

                // Less the tolerance an acquire allows, so floating-point noise does not round the delay up a whole tick.
                var missing = tokens - bucket.Tokens - Tolerance;
                return new ValueTask<RateLimitDecision>(RateLimitDecision.Rejected(SecondsToDelay(missing / RefillRatePerSecond)));
            }
        }
    }

    /// <inheritdoc />
    protected override ValueTask ReleaseCoreAsync(string key, double tokens, CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = TimeProvider.GetTimestamp();
            var bucket = _buckets.Find(key);
            if (bucket is null)
            {
                // No state means a full bucket: nothing to give back.
                return default;
            }

            lock (bucket)
            {
                if (bucket.Removed)
                {
                    continue;
                }

                bucket.Refill(now, _ratePerTick, Burst);
                bucket.Tokens = Math.Min(Burst, bucket.Tokens + tokens);
                return default;
            }
        }
    }

    /// <inheritdoc />
    protected override ValueTask<LimiterStats> GetStatsCoreAsync(string key, CancellationToken cancellationToken)
    {
        var bucket = _buckets.Find(key);
        if (bucket is null)
        {
            return new ValueTask<LimiterStats>(new LimiterStats(Burst, Burst, RefillRatePerSecond, null));
        }

        lock (bucket)
        {
            var now = TimeProvider.GetTimestamp();
            var elapsed = Math.Max(0, now - bucket.Updated);
            var available = Math.Min(Burst, bucket.Tokens + (elapsed * _ratePerTick));
            // Rounded, not truncated: seconds-as-double would lose a tick to rounding (1.2345670 s -> 1.2345669 s).
            var lastUpdate = TimeProvider.GetUtcNow()
                - TimeSpan.FromTicks((long)Math.Round(elapsed * ((double)TimeSpan.TicksPerSecond / _timestampFrequency)));
            return new ValueTask<LimiterStats>(new LimiterStats(available, Burst, RefillRatePerSecond, lastUpdate));
        }
    }

    /// <summary>Rounds up to whole ticks, so that after waiting the delay the tokens are there.</summary>
    private static TimeSpan SecondsToDelay(double seconds)
    {
        var ticks = Math.Ceiling(seconds * TimeSpan.TicksPerSecond);
        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)ticks);
    }
}
