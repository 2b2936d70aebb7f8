using System.Collections.Generic;

#if THROTTLE_GENERATOR
namespace Throttle.Generator.Policies;
#else
namespace Throttle.Policies;
#endif

/// <summary>
/// The settings of one <c>[DistributedSemaphore]</c> (and the defaults of the runtime's semaphores): the defaults the
/// attribute documents, the bounds the generator checks (THR009, THR107) and the runtime enforces, and the one
/// validation both use (<see cref="Validate"/>).
/// </summary>
#if THROTTLE_POLICIES_INTERNAL
internal
#else
public
#endif
sealed class DistributedSemaphoreOptions
{
    /// <summary>The fewest slots a semaphore can have.</summary>
    public const int MinValue = 1;

    /// <summary>The default longest wait for a slot: no bound (reported as THR401 on an attribute).</summary>
    public const double DefaultAcquireTimeoutSeconds = double.PositiveInfinity;

    /// <summary>The default lease, in seconds.</summary>
    public const double DefaultLeaseSeconds = 30.0;

    /// <summary>
    /// The shortest lease, in seconds (30 ms): a holder renews its lease every third of it, and below this the renewals
    /// could not keep up with Redis round trips.
    /// </summary>
    public const double MinLeaseSeconds = 0.03;

    /// <summary>The longest lease, the longest wait a timer accepts (about 49.7 days), in seconds.</summary>
    public const double MaxLeaseSeconds = OptionRules.TimerLimitSeconds;

    /// <summary>The default fallback polling delay, in seconds.</summary>
    public const double DefaultAcquireSleepDelaySeconds = 0.1;

    /// <summary>The longest fallback polling delay, the longest wait a timer accepts, in seconds.</summary>
    public const double MaxAcquireSleepDelaySeconds = OptionRules.TimerLimitSeconds;

    /// <summary>The semaphore's name; methods using the same key share its slots. Required, not blank.</summary>
    public string Key { get; set; } = string.Empty;

    /// <summary>The number of slots, at least <see cref="MinValue"/>. Required (default 0, which is refused).</summary>
    public int Value { get; set; }

    /// <summary>
    /// The longest a call waits for a slot, in seconds: positive, or <see cref="double.PositiveInfinity"/> for no bound.
    /// Default <see cref="DefaultAcquireTimeoutSeconds"/>.
    /// </summary>
    public double AcquireTimeoutSeconds { get; set; } = DefaultAcquireTimeoutSeconds;

    /// <summary>
    /// How long a held slot survives without renewal, in seconds: from <see cref="MinLeaseSeconds"/> to
    /// <see cref="MaxLeaseSeconds"/>. Default <see cref="DefaultLeaseSeconds"/>.
    /// </summary>
    public double LeaseSeconds { get; set; } = DefaultLeaseSeconds;

    /// <summary>
    /// Polling delay used only when no wake-up notification arrives, in seconds: positive, at most
    /// <see cref="MaxAcquireSleepDelaySeconds"/>. Default <see cref="DefaultAcquireSleepDelaySeconds"/>.
    /// </summary>
    public double AcquireSleepDelaySeconds { get; set; } = DefaultAcquireSleepDelaySeconds;

    /// <summary>Checks every option.</summary>
    /// <returns>Every problem found, in option order; empty when the options are valid.</returns>
    public IReadOnlyList<OptionProblem> Validate()
    {
        var problems = new List<OptionProblem>();
        OptionRules.NotBlank(problems, nameof(Key), Key);
        OptionRules.AtLeast(problems, nameof(Value), Value, MinValue);
        OptionRules.PositiveOrInfinite(problems, nameof(AcquireTimeoutSeconds), AcquireTimeoutSeconds);
        _ = OptionRules.AtLeastFinite(problems, nameof(LeaseSeconds), LeaseSeconds, MinLeaseSeconds)
            && OptionRules.AtMost(problems, nameof(LeaseSeconds), LeaseSeconds, MaxLeaseSeconds);
        _ = OptionRules.PositiveFinite(problems, nameof(AcquireSleepDelaySeconds), AcquireSleepDelaySeconds)
            && OptionRules.AtMost(problems, nameof(AcquireSleepDelaySeconds), AcquireSleepDelaySeconds, MaxAcquireSleepDelaySeconds);
        return problems;
    }

    /// <summary>A copy, so a holder keeps the settings it validated.</summary>
    internal DistributedSemaphoreOptions Copy() => (DistributedSemaphoreOptions)MemberwiseClone();
}
