using System;
using System.Collections.Generic;

#if THROTTLE_GENERATOR
namespace Throttle.Generator.Policies;
#else
namespace Throttle.Policies;
#endif

/// <summary>
/// The settings of one <c>[Retry]</c> (and of <c>Backoff</c>): the defaults the attribute documents, the bounds the
/// generator checks (THR009) and the runtime enforces, and the one validation both use (<see cref="Validate"/>).
/// The wait before retry n (n from 0) is min(<see cref="BaseDelaySeconds"/> × <see cref="ExponentialBase"/>^n,
/// <see cref="MaxDelaySeconds"/>), drawn uniformly from [0, that] when <see cref="Jitter"/> is on.
/// </summary>
#if THROTTLE_POLICIES_INTERNAL
internal
#else
public
#endif
sealed class RetryOptions
{
    /// <summary>The default number of retries after the first attempt.</summary>
    public const int DefaultMaxRetries = 5;

    /// <summary>The fewest retries (none: the first failure propagates).</summary>
    public const int MinMaxRetries = 0;

    /// <summary>The default first delay, in seconds.</summary>
    public const double DefaultBaseDelaySeconds = 1.0;

    /// <summary>The default longest delay, in seconds.</summary>
    public const double DefaultMaxDelaySeconds = 60.0;

    /// <summary>The longest delay a timer accepts (<c>uint.MaxValue - 1</c> ms, about 49.7 days), in seconds.</summary>
    public const double MaxDelayLimitSeconds = OptionRules.TimerLimitSeconds;

    /// <summary>The default growth factor per attempt.</summary>
    public const double DefaultExponentialBase = 2.0;

    /// <summary>The lowest growth factor (constant delays).</summary>
    public const double MinExponentialBase = 1.0;

    /// <summary>Whether jitter is on by default.</summary>
    public const bool DefaultJitter = true;

    /// <summary>Retries after the first attempt, at least <see cref="MinMaxRetries"/>. Default <see cref="DefaultMaxRetries"/>.</summary>
    public int MaxRetries { get; set; } = DefaultMaxRetries;

    /// <summary>The delay before the first retry, in seconds; positive and finite. Default <see cref="DefaultBaseDelaySeconds"/>.</summary>
    public double BaseDelaySeconds { get; set; } = DefaultBaseDelaySeconds;

    /// <summary>The longest delay, in seconds; positive, at most <see cref="MaxDelayLimitSeconds"/>. Default <see cref="DefaultMaxDelaySeconds"/>.</summary>
    public double MaxDelaySeconds { get; set; } = DefaultMaxDelaySeconds;

    /// <summary>Growth factor of the delay per attempt; finite, at least <see cref="MinExponentialBase"/>. Default <see cref="DefaultExponentialBase"/>.</summary>
    public double ExponentialBase { get; set; } = DefaultExponentialBase;

    /// <summary>Whether each delay is drawn uniformly from [0, delay] (full jitter). Default <see cref="DefaultJitter"/>.</summary>
    public bool Jitter { get; set; } = DefaultJitter;

    /// <summary>Which exceptions are retried; null (the default) for every exception except <see cref="OperationCanceledException"/>.</summary>
    public Func<Exception, bool>? ShouldHandle { get; set; }

    /// <summary>Checks every option. A <see cref="MaxDelaySeconds"/> below <see cref="BaseDelaySeconds"/> is allowed (every wait is then the cap).</summary>
    /// <returns>Every problem found, in option order; empty when the options are valid.</returns>
    public IReadOnlyList<OptionProblem> Validate()
    {
        var problems = new List<OptionProblem>();
        OptionRules.AtLeast(problems, nameof(MaxRetries), MaxRetries, MinMaxRetries);
        OptionRules.PositiveFinite(problems, nameof(BaseDelaySeconds), BaseDelaySeconds);
        _ = OptionRules.PositiveFinite(problems, nameof(MaxDelaySeconds), MaxDelaySeconds)
            && OptionRules.AtMost(problems, nameof(MaxDelaySeconds), MaxDelaySeconds, MaxDelayLimitSeconds);
        OptionRules.AtLeastFinite(problems, nameof(ExponentialBase), ExponentialBase, MinExponentialBase);
        return problems;
    }

    /// <summary>A copy, so a holder keeps the settings it validated.</summary>
    internal RetryOptions Copy() => (RetryOptions)MemberwiseClone();
}
