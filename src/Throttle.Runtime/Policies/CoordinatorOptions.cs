using System.Collections.Generic;

#if THROTTLE_GENERATOR
namespace Throttle.Generator.Policies;
#else
namespace Throttle.Policies;
#endif

/// <summary>
/// The settings of a leader-election <c>Coordinator</c>: its defaults (the spec's <c>Coordinator(lock_name, ttl=10,
/// retry_interval=1)</c>), its bounds and the one validation (<see cref="Validate"/>).
/// </summary>
/// <remarks>
/// The leader renews its lease every <see cref="TtlSeconds"/> / 2. It counts its lease from the moment it sent the
/// request that set it, and steps down by itself <see cref="SafetyMarginSeconds"/> before that lease can end on the
/// server, so a leader that cannot renew has stopped leading before another instance can take over.
/// </remarks>
#if THROTTLE_POLICIES_INTERNAL
internal
#else
public
#endif
sealed class CoordinatorOptions
{
    /// <summary>The default lock name, as in the spec.</summary>
    public const string DefaultLockName = "coordinator_lock";

    /// <summary>The default lease, in seconds.</summary>
    public const double DefaultTtlSeconds = 10.0;

    /// <summary>
    /// The shortest lease, in seconds: renewal at half of it must leave room for a Redis round trip or two and for the
    /// safety margin.
    /// </summary>
    public const double MinTtlSeconds = 1.0;

    /// <summary>The longest lease, the longest wait a timer accepts (about 49.7 days), in seconds.</summary>
    public const double MaxTtlSeconds = OptionRules.TimerLimitSeconds;

    /// <summary>The default wait between two attempts of a follower, in seconds.</summary>
    public const double DefaultRetryIntervalSeconds = 1.0;

    /// <summary>The longest wait between attempts, the longest wait a timer accepts, in seconds.</summary>
    public const double MaxRetryIntervalSeconds = OptionRules.TimerLimitSeconds;

    /// <summary>The default share of the lease given up for clock drift: 1 %.</summary>
    public const double DefaultClockDriftFactor = 0.01;

    /// <summary>The largest share of the lease that may be given up for clock drift.</summary>
    public const double MaxClockDriftFactor = 0.2;

    /// <summary>
    /// The least safety margin, in seconds (50 ms), whatever the drift factor: it also covers a step-down timer that
    /// fires a little late on a busy machine.
    /// </summary>
    public const double MinSafetyMarginSeconds = 0.05;

    /// <summary>The name of the leadership; instances with the same name (and storage) elect one leader. Not blank.</summary>
    public string LockName { get; set; } = DefaultLockName;

    /// <summary>
    /// How long the leadership lasts without renewal, in seconds: from <see cref="MinTtlSeconds"/> to
    /// <see cref="MaxTtlSeconds"/>. Another instance takes over at most this long after a leader fails (plus
    /// <see cref="RetryIntervalSeconds"/>). Default <see cref="DefaultTtlSeconds"/>.
    /// </summary>
    public double TtlSeconds { get; set; } = DefaultTtlSeconds;

    /// <summary>
    /// How long a follower waits between two attempts, in seconds (it also wakes up when the leader releases): positive,
    /// at most <see cref="MaxRetryIntervalSeconds"/>. Default <see cref="DefaultRetryIntervalSeconds"/>.
    /// </summary>
    public double RetryIntervalSeconds { get; set; } = DefaultRetryIntervalSeconds;

    /// <summary>
    /// The largest relative difference in clock rate assumed between this instance and the server keeping the lease:
    /// from 0 to <see cref="MaxClockDriftFactor"/>. Default <see cref="DefaultClockDriftFactor"/>.
    /// </summary>
    public double ClockDriftFactor { get; set; } = DefaultClockDriftFactor;

    /// <summary>
    /// An id of this instance for logs and for the lease's value; null (the default) for a new random one. Two
    /// coordinators must never share one.
    /// </summary>
    public string? HolderId { get; set; }

    /// <summary>
    /// How long before its lease can end on the server the leader steps down by itself, in seconds:
    /// <see cref="TtlSeconds"/> × <see cref="ClockDriftFactor"/>, at least <see cref="MinSafetyMarginSeconds"/>.
    /// </summary>
    public double SafetyMarginSeconds
    {
        get
        {
            var drift = TtlSeconds * ClockDriftFactor;
            return drift > MinSafetyMarginSeconds ? drift : MinSafetyMarginSeconds;
        }
    }

    /// <summary>Checks every option.</summary>
    /// <returns>Every problem found, in option order; empty when the options are valid.</returns>
    public IReadOnlyList<OptionProblem> Validate()
    {
        var problems = new List<OptionProblem>();
        OptionRules.NotBlank(problems, nameof(LockName), LockName);
        _ = OptionRules.AtLeastFinite(problems, nameof(TtlSeconds), TtlSeconds, MinTtlSeconds)
            && OptionRules.AtMost(problems, nameof(TtlSeconds), TtlSeconds, MaxTtlSeconds);
        _ = OptionRules.PositiveFinite(problems, nameof(RetryIntervalSeconds), RetryIntervalSeconds)
            && OptionRules.AtMost(problems, nameof(RetryIntervalSeconds), RetryIntervalSeconds, MaxRetryIntervalSeconds);
        _ = OptionRules.AtLeastFinite(problems, nameof(ClockDriftFactor), ClockDriftFactor, 0)
            && OptionRules.AtMost(problems, nameof(ClockDriftFactor), ClockDriftFactor, MaxClockDriftFactor);
        OptionRules.NullOrNotBlank(problems, nameof(HolderId), HolderId);
        return problems;
    }

    /// <summary>A copy, so a coordinator keeps the settings it validated.</summary>
    internal CoordinatorOptions Copy() => (CoordinatorOptions)MemberwiseClone();
}
