using System;
using Throttle.Policies;

namespace Throttle;

/// <summary>
/// Retries the annotated partial method with exponential backoff and full jitter:
/// delay = min(<see cref="BaseDelaySeconds"/> × <see cref="ExponentialBase"/>^attempt, <see cref="MaxDelaySeconds"/>),
/// drawn uniformly from [0, delay] when <see cref="Jitter"/> is on. Built on Polly.Core's retry strategy.
/// Defaults and bounds are those of <c>Throttle.Policies.RetryOptions</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RetryAttribute : Attribute
{
    /// <summary>Retries after the first attempt. Default <c>RetryOptions.DefaultMaxRetries</c> (5), at least <c>MinMaxRetries</c> (0).</summary>
    public int MaxRetries { get; set; } = RetryOptions.DefaultMaxRetries;

    /// <summary>The first delay, in seconds; positive and finite. Default <c>RetryOptions.DefaultBaseDelaySeconds</c> (1).</summary>
    public double BaseDelaySeconds { get; set; } = RetryOptions.DefaultBaseDelaySeconds;

    /// <summary>
    /// The longest delay, in seconds; positive, at most <c>RetryOptions.MaxDelayLimitSeconds</c> (about 49.7 days).
    /// Default <c>RetryOptions.DefaultMaxDelaySeconds</c> (60).
    /// </summary>
    public double MaxDelaySeconds { get; set; } = RetryOptions.DefaultMaxDelaySeconds;

    /// <summary>
    /// Growth factor of the delay per attempt; finite, at least <c>RetryOptions.MinExponentialBase</c> (1).
    /// Default <c>RetryOptions.DefaultExponentialBase</c> (2).
    /// </summary>
    public double ExponentialBase { get; set; } = RetryOptions.DefaultExponentialBase;

    /// <summary>Whether to draw each delay uniformly from [0, delay]. Default <c>RetryOptions.DefaultJitter</c> (<see langword="true"/>).</summary>
    public bool Jitter { get; set; } = RetryOptions.DefaultJitter;

    /// <summary>Exception types that are retried (and their subclasses). Default: every exception.</summary>
    public Type[]? Handles { get; set; }
}
