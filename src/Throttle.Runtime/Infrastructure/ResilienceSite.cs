using System;
using System.ComponentModel;
using System.Threading;
using Polly;
using Throttle.Internal;
using Throttle.Policies;
using Throttle.Resilience;

namespace Throttle.Infrastructure;

/// <summary>
/// One method's <c>[CircuitBreaker]</c> and/or <c>[Retry]</c> policy, held by generated code in a static field. It
/// resolves its Polly pipeline from <see cref="ThrottleRuntime.Current"/> once and re-resolves only when the current
/// runtime changes (the pattern of <see cref="RateLimitSite"/>), so a call costs one reference comparison plus the
/// pipeline's own work. Inside the pipeline the circuit breaker is outermost and the retry inside it: a call that still
/// fails after its retries counts once for the breaker, and an open circuit rejects the call before any attempt.
/// </summary>
/// <remarks>Infrastructure for generated code; not meant to be used directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ResilienceSite
{
    private PerRuntime<ResiliencePipeline> _resolved;

    /// <summary>
    /// Creates the site; generated code passes options the generator has already checked with the same
    /// <c>Validate()</c>, checked again here. The site keeps copies of them.
    /// </summary>
    /// <param name="id">Unique name of the method (its overload included); also the name of its own circuit breaker.</param>
    /// <param name="circuitBreaker">The <c>[CircuitBreaker]</c> settings, or null.</param>
    /// <param name="retry">The <c>[Retry]</c> settings, or null.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="id"/> is null or empty, both settings are null, or an option is out of range (an
    /// <see cref="ArgumentOutOfRangeException"/>) or blank: <see cref="ArgumentException.ParamName"/> is the option's name
    /// (e.g. <c>FailureThreshold</c>) and the message that of its <see cref="OptionProblem"/>.
    /// </exception>
    public ResilienceSite(string id, CircuitBreakerOptions? circuitBreaker, RetryOptions? retry)
    {
        Id = Guard.Key(id, nameof(id));
        if (circuitBreaker is null && retry is null)
        {
            throw new ArgumentException("A resilience site needs a circuit breaker, a retry, or both.", nameof(circuitBreaker));
        }

        if (circuitBreaker is not null)
        {
            circuitBreaker = circuitBreaker.Copy();
            OptionRules.ThrowFirst(circuitBreaker.Validate());
            CircuitBreaker = circuitBreaker;
            BreakerName = circuitBreaker.Name ?? id;
            BreakDuration = TimeSpan.FromTicks((long)(circuitBreaker.BreakSeconds * TimeSpan.TicksPerSecond));
        }

        if (retry is not null)
        {
            retry = retry.Copy();
            RetryPolicy = RetryPolicy.Create(retry);
            Retry = retry;
        }
    }

    /// <summary>Unique name of the method.</summary>
    public string Id { get; }

    /// <summary>A copy of the <c>[CircuitBreaker]</c> settings, or null.</summary>
    public CircuitBreakerOptions? CircuitBreaker { get; }

    /// <summary>A copy of the <c>[Retry]</c> settings, or null.</summary>
    public RetryOptions? Retry { get; }

    /// <summary>The pipeline of the current runtime: circuit breaker (outer), then retry (inner).</summary>
    public ResiliencePipeline Pipeline =>
        _resolved.Get(this, static (runtime, site) => runtime.ResolvePipeline(site));

    /// <summary>The name of the breaker this site uses (its attribute's name, else <see cref="Id"/>); null without a breaker.</summary>
    internal string? BreakerName { get; }

    internal TimeSpan BreakDuration { get; }

    internal RetryPolicy? RetryPolicy { get; }
}
