using System;
using System.Threading;

namespace Throttle.AspNetCore.RateLimiting;

/// <summary>
/// Settings of a rate-limiter policy or global limiter on a named Throttle limiter
/// (<c>AddThrottlePolicy</c>, <c>UseThrottleGlobalLimiter</c>).
/// </summary>
public sealed class ThrottlePolicyOptions
{
    /// <summary>The default of <see cref="AnonymousPartition"/>.</summary>
    public const string DefaultAnonymousPartition = "(anonymous)";

    private TimeSpan _maxWait = TimeSpan.Zero;
    private string _anonymousPartition = DefaultAnonymousPartition;

    /// <summary>
    /// How long a request may wait for a permit before it is rejected. Default zero: a request over the limit is
    /// rejected at once, with <c>Retry-After</c>. <see cref="Timeout.InfiniteTimeSpan"/> waits until a permit is free
    /// or the request is aborted.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative and not <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public TimeSpan MaxWait
    {
        get => _maxWait;
        set
        {
            if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(MaxWait), value, "MaxWait must be zero or positive, or Timeout.InfiniteTimeSpan.");
            }

            _maxWait = value;
        }
    }

    /// <summary>
    /// Whether a rejection also carries the IETF draft headers <c>RateLimit-Limit</c>, <c>RateLimit-Remaining</c> and
    /// <c>RateLimit-Reset</c> (seconds until the partition is full again). Default false: only <c>Retry-After</c>.
    /// Reading the quota costs one more storage round trip per rejection.
    /// </summary>
    public bool IncludeRateLimitHeaders { get; set; }

    /// <summary>
    /// The limiter key of requests whose partition is null or empty (anonymous users): they share this one partition.
    /// Default <see cref="DefaultAnonymousPartition"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The value is null or empty.</exception>
    public string AnonymousPartition
    {
        get => _anonymousPartition;
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(value, nameof(AnonymousPartition));
            _anonymousPartition = value;
        }
    }

    /// <summary>A copy, so that later changes to the options given by a caller do not reach a policy already built.</summary>
    internal ThrottlePolicyOptions Copy() => new()
    {
        _maxWait = _maxWait,
        _anonymousPartition = _anonymousPartition,
        IncludeRateLimitHeaders = IncludeRateLimitHeaders,
    };
}
