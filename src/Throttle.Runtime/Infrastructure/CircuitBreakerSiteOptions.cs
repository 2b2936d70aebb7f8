using System;
using System.ComponentModel;

namespace Throttle.Infrastructure;

/// <summary>The <c>[CircuitBreaker]</c> settings of one method, as generated code passes them to <see cref="ResilienceSite"/>.</summary>
/// <remarks>Infrastructure for generated code; not meant to be used directly. Checked by the <see cref="ResilienceSite"/> constructor.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CircuitBreakerSiteOptions
{
    /// <summary>Consecutive handled failures that open the circuit; at least 1. Default 5.</summary>
    public int FailureThreshold { get; init; } = 5;

    /// <summary>How long the circuit stays open before it lets a trial call through, in seconds; positive and finite. Default 60.</summary>
    public double BreakSeconds { get; init; } = 60;

    /// <summary>The breaker shared by every method with this name; null for the method's own breaker, named after the site id.</summary>
    public string? Name { get; init; }

    /// <summary>Which exceptions count as failures; null means every exception except <see cref="OperationCanceledException"/>.</summary>
    public Func<Exception, bool>? ShouldHandle { get; init; }
}
