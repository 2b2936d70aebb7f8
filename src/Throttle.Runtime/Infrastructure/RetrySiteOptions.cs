using System;
using System.ComponentModel;

namespace Throttle.Infrastructure;

/// <summary>The <c>[Retry]</c> settings of one method, as generated code passes them to <see cref="ResilienceSite"/>.</summary>
/// <remarks>Infrastructure for generated code; not meant to be used directly. Checked by the <see cref="ResilienceSite"/> constructor.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class RetrySiteOptions
{
    /// <summary>Retries after the first attempt; zero or more. Default 5.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>The delay before the first retry, in seconds; positive and finite. Default 1.</summary>
    public double BaseDelaySeconds { get; init; } = 1;

    /// <summary>The longest delay, in seconds; positive, finite and at most <c>uint.MaxValue - 1</c> milliseconds (a timer's limit). Default 60.</summary>
    public double MaxDelaySeconds { get; init; } = 60;

    /// <summary>Growth factor of the delay per attempt; finite and at least 1. Default 2.</summary>
    public double ExponentialBase { get; init; } = 2;

    /// <summary>Whether each delay is drawn uniformly from [0, delay] (full jitter). Default <see langword="true"/>.</summary>
    public bool Jitter { get; init; } = true;

    /// <summary>Which exceptions are retried; null means every exception except <see cref="OperationCanceledException"/>.</summary>
    public Func<Exception, bool>? ShouldHandle { get; init; }
}
