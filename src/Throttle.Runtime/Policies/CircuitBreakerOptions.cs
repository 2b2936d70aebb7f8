using System;
using System.Collections.Generic;

#if THROTTLE_GENERATOR
namespace Throttle.Generator.Policies;
#else
namespace Throttle.Policies;
#endif

/// <summary>
/// The settings of one <c>[CircuitBreaker]</c>: the defaults the attribute documents, the bounds the generator checks
/// (THR009) and the runtime enforces, and the one validation both use (<see cref="Validate"/>).
/// </summary>
#if THROTTLE_POLICIES_INTERNAL
internal
#else
public
#endif
sealed class CircuitBreakerOptions
{
    /// <summary>The default number of consecutive handled failures that open the circuit.</summary>
    public const int DefaultFailureThreshold = 5;

    /// <summary>The lowest failure threshold.</summary>
    public const int MinFailureThreshold = 1;

    /// <summary>The default break, in seconds.</summary>
    public const double DefaultBreakSeconds = 60.0;

    /// <summary>The longest break, the longest <see cref="TimeSpan"/> (in whole seconds).</summary>
    public const double MaxBreakSeconds = OptionRules.MaxDurationSeconds;

    /// <summary>
    /// Consecutive handled failures that open the circuit, at least <see cref="MinFailureThreshold"/>.
    /// Default <see cref="DefaultFailureThreshold"/>.
    /// </summary>
    public int FailureThreshold { get; set; } = DefaultFailureThreshold;

    /// <summary>
    /// How long the circuit stays open before a trial call, in seconds: positive, at most <see cref="MaxBreakSeconds"/>.
    /// Default <see cref="DefaultBreakSeconds"/>.
    /// </summary>
    public double BreakSeconds { get; set; } = DefaultBreakSeconds;

    /// <summary>The breaker shared by every method with this name; null (the default) for the method's own. Not blank.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Whether the breaker's state lives in the runtime's Redis storage and is shared by every process using the same
    /// <see cref="Name"/> there (README, "Shared circuit breakers"); on an in-memory storage it is this process's breaker.
    /// Default false: the breaker of this process.
    /// </summary>
    public bool Shared { get; set; }

    /// <summary>Which exceptions count as failures; null (the default) for every exception except <see cref="OperationCanceledException"/>.</summary>
    public Func<Exception, bool>? ShouldHandle { get; set; }

    /// <summary>Checks every option.</summary>
    /// <returns>Every problem found, in option order; empty when the options are valid.</returns>
    public IReadOnlyList<OptionProblem> Validate()
    {
        var problems = new List<OptionProblem>();
        OptionRules.AtLeast(problems, nameof(FailureThreshold), FailureThreshold, MinFailureThreshold);
        _ = OptionRules.PositiveFinite(problems, nameof(BreakSeconds), BreakSeconds)
            && OptionRules.AtMost(problems, nameof(BreakSeconds), BreakSeconds, MaxBreakSeconds);
        OptionRules.NullOrNotBlank(problems, nameof(Name), Name);
        return problems;
    }

    /// <summary>A copy, so a holder keeps the settings it validated.</summary>
    internal CircuitBreakerOptions Copy() => (CircuitBreakerOptions)MemberwiseClone();
}
