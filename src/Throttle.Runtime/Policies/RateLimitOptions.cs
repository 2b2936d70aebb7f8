using System.Collections.Generic;

#if THROTTLE_GENERATOR
namespace Throttle.Generator.Policies;
#else
namespace Throttle.Policies;
#endif

/// <summary>
/// The settings of one <c>[RateLimit]</c>: the defaults the attribute documents, the bounds the generator checks (THR1xx)
/// and the runtime enforces, and the one validation both use (<see cref="Validate"/>).
/// </summary>
#if THROTTLE_POLICIES_INTERNAL
internal
#else
public
#endif
sealed class RateLimitOptions
{
    /// <summary>The default period: one second.</summary>
    public const double DefaultPer = 1.0;

    /// <summary>The shortest period: one <see cref="System.TimeSpan"/> tick (a sliding window cannot be shorter).</summary>
    public const double MinPer = OptionRules.TickSeconds;

    /// <summary>The longest period, the longest <see cref="System.TimeSpan"/> (in whole seconds).</summary>
    public const double MaxPer = OptionRules.MaxDurationSeconds;

    /// <summary>The <see cref="Burst"/> that means "equal to the rate", which is also its default.</summary>
    public const double BurstEqualToRate = 0.0;

    /// <summary>The smallest bucket: each call takes one token, so a smaller bucket would refuse every call.</summary>
    public const double MinCapacity = 1.0;

    /// <summary>The default algorithm.</summary>
    public const RateLimitStrategy DefaultStrategy = RateLimitStrategy.TokenBucket;

    /// <summary>The default longest wait for a permit: no bound (the caller's cancellation token still ends it).</summary>
    public const double DefaultMaxWaitSeconds = double.PositiveInfinity;

    /// <summary>
    /// Permits granted per <see cref="Per"/>; positive and finite. Default <see cref="double.NaN"/> (not set), which
    /// only a <see cref="Limiter"/> allows.
    /// </summary>
    public double Rate { get; set; } = double.NaN;

    /// <summary>The period in seconds, from <see cref="MinPer"/> to <see cref="MaxPer"/>. Default <see cref="DefaultPer"/>.</summary>
    public double Per { get; set; } = DefaultPer;

    /// <summary>
    /// Bucket capacity, the most permits available at once: positive and finite, or <see cref="BurstEqualToRate"/>
    /// (the default) for a bucket the size of <see cref="Rate"/>. The capacity must be at least <see cref="MinCapacity"/>.
    /// Not used by <see cref="RateLimitStrategy.SlidingWindow"/>, which must leave it at the default.
    /// </summary>
    public double Burst { get; set; } = BurstEqualToRate;

    /// <summary>The algorithm. Default <see cref="DefaultStrategy"/>.</summary>
    public RateLimitStrategy Strategy { get; set; } = DefaultStrategy;

    /// <summary>Scope of the limiter's state; null (the default) for the method's own. Not blank.</summary>
    public string? Scope { get; set; }

    /// <summary>A limiter registered on the runtime to use instead of the rate options; null (the default) for none. Not blank.</summary>
    public string? Limiter { get; set; }

    /// <summary>
    /// A storage registered on the runtime (<c>ThrottleRuntime.RegisterStorage</c>) that keeps this limiter's state
    /// instead of the runtime's own; null (the default) for the runtime's storage. Not blank. Does not apply with a
    /// <see cref="Limiter"/>, which has its storage already.
    /// </summary>
    public string? Storage { get; set; }

    /// <summary>
    /// The longest a call waits for a permit, in seconds: zero (reject at once), positive, or
    /// <see cref="double.PositiveInfinity"/>. Default <see cref="DefaultMaxWaitSeconds"/>.
    /// </summary>
    public double MaxWaitSeconds { get; set; } = DefaultMaxWaitSeconds;

    /// <summary>The bucket's capacity: <see cref="Burst"/>, or <see cref="Rate"/> when Burst is <see cref="BurstEqualToRate"/>.</summary>
    public double Capacity => Burst == BurstEqualToRate ? Rate : Burst;

    /// <summary>Checks every option; with a <see cref="Limiter"/> the rate options are not used and not checked.</summary>
    /// <returns>Every problem found, in option order; empty when the options are valid.</returns>
    public IReadOnlyList<OptionProblem> Validate()
    {
        var problems = new List<OptionProblem>();
        OptionRules.NullOrNotBlank(problems, nameof(Scope), Scope);
        var useLimiter = Limiter is not null;
        OptionRules.NullOrNotBlank(problems, nameof(Limiter), Limiter);
        OptionRules.NullOrNotBlank(problems, nameof(Storage), Storage);
        if (!useLimiter)
        {
            var rateValid = OptionRules.PositiveFinite(problems, nameof(Rate), Rate, OptionRules.RateNumberId);
            var perValid = OptionRules.PositiveFinite(problems, nameof(Per), Per, OptionRules.RateNumberId)
                && OptionRules.AtLeast(problems, nameof(Per), Per, MinPer, OptionRules.RateNumberId)
                && OptionRules.AtMost(problems, nameof(Per), Per, MaxPer, OptionRules.RateNumberId);
            if (rateValid && perValid && double.IsInfinity(Rate / Per))
            {
                problems.Add(new OptionProblem(
                    nameof(Rate), Rate, $"Rate / Per (permits per second) must be finite, but is {OptionRules.Number(Rate / Per)}", OptionRules.RateNumberId));
            }

            var burstValid = Burst == BurstEqualToRate || OptionRules.PositiveFinite(problems, nameof(Burst), Burst, OptionRules.RateNumberId);
            if (rateValid && burstValid && Capacity < MinCapacity)
            {
                problems.Add(new OptionProblem(
                    Burst == BurstEqualToRate ? nameof(Rate) : nameof(Burst),
                    Capacity,
                    $"Each call takes one token, but the bucket holds only {OptionRules.Number(Capacity)}; set Burst to 1 or more",
                    OptionRules.BelowOneCallId));
            }

            if (Strategy is not (RateLimitStrategy.TokenBucket or RateLimitStrategy.SlidingWindow or RateLimitStrategy.LeakyBucket))
            {
                problems.Add(new OptionProblem(
                    nameof(Strategy),
                    Strategy,
                    $"(RateLimitStrategy){OptionRules.Number((int)Strategy)} is not a RateLimitStrategy; use TokenBucket, SlidingWindow or LeakyBucket",
                    OptionRules.UnknownStrategyId));
            }
            else if (Strategy == RateLimitStrategy.SlidingWindow && Burst != BurstEqualToRate)
            {
                problems.Add(new OptionProblem(
                    nameof(Burst),
                    Burst,
                    "RateLimitStrategy.SlidingWindow admits at most the rate in any window of Per seconds and has no burst; remove Burst",
                    OptionRules.BurstNotApplicableId));
            }
        }

        OptionRules.WaitOrInfinite(problems, nameof(MaxWaitSeconds), MaxWaitSeconds, OptionRules.MaxWaitId);
        return problems;
    }

    /// <summary>A copy, so a holder keeps the settings it validated.</summary>
    internal RateLimitOptions Copy() => (RateLimitOptions)MemberwiseClone();
}
