using System;

namespace Throttle;

/// <summary>
/// Retries the annotated partial method with exponential backoff and full jitter:
/// delay = min(<see cref="BaseDelaySeconds"/> × <see cref="ExponentialBase"/>^attempt, <see cref="MaxDelaySeconds"/>),
/// drawn uniformly from [0, delay] when <see cref="Jitter"/> is on. Built on Polly.Core's retry strategy.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RetryAttribute : Attribute
{
    /// <summary>Retries after the first attempt. Default 5.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>The first delay, in seconds. Default 1.</summary>
    public double BaseDelaySeconds { get; set; } = 1.0;

    /// <summary>The longest delay, in seconds. Default 60.</summary>
    public double MaxDelaySeconds { get; set; } = 60.0;

    /// <summary>Growth factor of the delay per attempt; at least 1. Default 2.</summary>
    public double ExponentialBase { get; set; } = 2.0;

    /// <summary>Whether to draw each delay uniformly from [0, delay]. Default <see langword="true"/>.</summary>
    public bool Jitter { get; set; } = true;

    /// <summary>Exception types that are retried (and their subclasses). Default: every exception.</summary>
    public Type[]? Handles { get; set; }
}
