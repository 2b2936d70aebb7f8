using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Internal;
using Throttle.Limiters.Backends;
using Throttle.Storage;

namespace Throttle.Limiters;

/// <summary>
/// Sliding window log per key: at most <c>rate</c> tokens within any window of <c>per</c> seconds, counted request by
/// request (exact, no approximation between fixed windows).
/// </summary>
/// <remarks>
/// Algorithm, per request: drop the logged requests older than <c>now − per</c>; admit when the tokens still logged plus
/// the request's stay within <c>rate</c> and log it, otherwise reject with <c>RetryAfter</c> = the time until enough
/// old requests leave the window. Memory per key grows with the requests admitted in one window.
/// <see cref="ThrottleLimiter.ReleaseAsync"/> removes the newest logged tokens.
/// </remarks>
public sealed class SlidingWindowLimiter : ThrottleLimiter
{
    private readonly ILimiterBackend _backend;
    private readonly LimiterRate _rate;

    /// <summary>Creates a sliding window limiter.</summary>
    /// <param name="rate">The most tokens admitted within one window; positive and finite.</param>
    /// <param name="per">The window in seconds; positive and finite. Default 1.</param>
    /// <param name="storage">Where the logs live. Default: a new <see cref="MemoryStorage"/>.</param>
    /// <param name="scope">Namespace of the logs; sliding window limiters sharing storage and scope share logs per key.</param>
    /// <exception cref="ArgumentOutOfRangeException">A number is not positive and finite, or the window is shorter than a tick.</exception>
    /// <exception cref="ArgumentException"><paramref name="scope"/> is null or empty.</exception>
    public SlidingWindowLimiter(double rate, double per = 1.0, ThrottleStorage? storage = null, string scope = "default")
        : base(scope, (storage ??= new MemoryStorage()).TimeProvider)
    {
        Rate = Guard.PositiveFinite(rate, nameof(rate));
        Per = Guard.PositiveFinite(per, nameof(per));
        if (per >= TimeSpan.MaxValue.TotalSeconds || per < 1e-7)
        {
            throw new ArgumentOutOfRangeException(nameof(per), per, "per must be between one tick (1e-7 s) and TimeSpan.MaxValue.");
        }

        Window = TimeSpan.FromSeconds(per);
        Storage = storage;
        _rate = new LimiterRate(rate, rate / per);
        _backend = storage.CreateLimiterBackend(
            new LimiterDefinition(LimiterAlgorithm.SlidingWindow, scope, rate, rate / per, Window));
    }

    /// <summary>The most tokens admitted within one window.</summary>
    public double Rate { get; }

    /// <summary>The window in seconds.</summary>
    public double Per { get; }

    /// <summary>The window.</summary>
    public TimeSpan Window { get; }

    /// <summary>Where the logs live.</summary>
    public ThrottleStorage Storage { get; }

    /// <inheritdoc />
    public override double Capacity => Rate;

    /// <inheritdoc />
    internal override bool DecisionsCarryQuota => true;

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
