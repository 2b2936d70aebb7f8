using System;
using Throttle.Policies;

namespace Throttle;

/// <summary>
/// Stops calling the annotated partial method after repeated failures: closed → open after
/// <see cref="FailureThreshold"/> handled failures, every call rejected while open, half-open after
/// <see cref="BreakSeconds"/>, closed again on a success. Built on Polly.Core's circuit breaker.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CircuitBreakerAttribute : Attribute
{
    /// <summary>
    /// Consecutive handled failures that open the circuit. Default and bounds:
    /// <c>Throttle.Policies.CircuitBreakerOptions.DefaultFailureThreshold</c> (5), at least <c>MinFailureThreshold</c> (1).
    /// </summary>
    public int FailureThreshold { get; set; } = CircuitBreakerOptions.DefaultFailureThreshold;

    /// <summary>
    /// How long the circuit stays open before a trial call, in seconds. Default and bounds:
    /// <c>Throttle.Policies.CircuitBreakerOptions.DefaultBreakSeconds</c> (60), positive, at most <c>MaxBreakSeconds</c>.
    /// </summary>
    public double BreakSeconds { get; set; } = CircuitBreakerOptions.DefaultBreakSeconds;

    /// <summary>Exception types counted as failures (and their subclasses). Default: every exception.</summary>
    public Type[]? Handles { get; set; }

    /// <summary>The name of a breaker shared by every method that uses the same name. Default: one per method.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Keeps the breaker's state in the runtime's Redis storage, shared by every process that uses this <see cref="Name"/>:
    /// failures counted across processes, the open state announced to all, one half-open trial at a time. On an in-memory
    /// storage the breaker is this process's own. Default false.
    /// </summary>
    public bool Shared { get; set; }
}
